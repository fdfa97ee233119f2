import IndicatorsAPI
import IsidStorage
import ProtobufRuntime

extension Isid_Indicators_V1_Observation {
    init(_ record: ObservationRecord) {
        self.init()
        seriesCode = record.seriesCode
        areaCode = record.areaCode
        year = Int32(record.year)
        value = record.value
        unit = record.unit
        nature = record.nature
        source = record.source
        footnote = record.footnote
        revision = record.revision
    }
}

extension ObservationRecord {
    init(_ input: Isid_Indicators_V1_ObservationInput) {
        self.init(
            seriesCode: input.seriesCode,
            areaCode: input.areaCode,
            year: Int(input.year),
            value: input.value,
            unit: input.unit,
            nature: input.nature,
            source: input.source,
            footnote: input.footnote
        )
    }
}

extension Isid_Indicators_V1_Change {
    init(_ change: LoggedChange<ObservationChange>) {
        self.init()
        revision = change.revision
        kind =
            switch change.record.operation {
            case .inserted: .inserted
            case .updated: .updated
            case .withdrawn: .withdrawn
            }
        observation = .init(change.record.observation)
        previousValue = change.record.previousValue
    }
}

/// Parses and checks a client's revision token (INVALID_ARGUMENT for anything this server did not issue).
enum RevisionTokenField {
    static func parse(_ text: String, field: String, currentRevision: Int64) throws(IndicatorError) -> Int64 {
        do {
            return try RevisionToken(validating: text, currentRevision: currentRevision).revision
        } catch {
            throw .invalid(error.summary, [.init(field: field, description: error.fieldDescription)])
        }
    }

    static func format(_ revision: Int64) -> String { RevisionToken(revision: revision).description }
}
