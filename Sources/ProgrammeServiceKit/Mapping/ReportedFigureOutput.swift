import ProgrammesAPI
import ProtobufRuntime

extension ProgrammeOutput {
    func figure(_ figure: ReportedFigure) -> Isid_Programmes_V1_ReportedFigure {
        .with {
            $0.id = figure.id
            $0.subject = figure.subject
            switch figure.value {
            case .amount(let amount): $0.amount = money(amount)
            case .count(let count): $0.count = count
            }
            switch figure.qualifier {
            case .exact: $0.qualifier = .exact
            case .moreThan: $0.qualifier = .moreThan
            case .upTo: $0.qualifier = .upTo
            case .about: $0.qualifier = .about
            }
            $0.period = figure.period
            if let partner = figure.partner { $0.partner = self.partner(partner) }
            $0.programmeId = figure.programmeID ?? ""
            $0.provenance = .with {
                $0.kind = .reportedFigures
                $0.citation = figure.citation
            }
        }
    }
}
