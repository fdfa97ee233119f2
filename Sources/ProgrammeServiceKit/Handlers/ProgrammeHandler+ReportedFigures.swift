public import ProgrammesAPI
import ProtobufRuntime
public import RPCCore

extension ProgrammeHandler {
    public func listReportedFigures(
        request: Isid_Programmes_V1_ListReportedFiguresRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_ListReportedFiguresResponse {
        let programmeID = request.programmeId.isEmpty ? nil : request.programmeId
        if let programmeID { _ = try await requireProgramme(programmeID, field: "programme_id") }
        let figures = try await store.reportedFigures(programmeID: programmeID)
        return .with { $0.figures = figures.map(output.figure) }
    }
}
