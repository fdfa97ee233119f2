import Foundation
public import ProgrammesAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ProgrammeHandler {
    /// The largest IATI file one call takes; bigger files go through `programme-service import-iati`.
    static let maximumImportBytes = 32 * 1024 * 1024

    public func importIatiActivities(
        request: Isid_Programmes_V1_ImportIatiActivitiesRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_ImportIatiActivitiesResponse {
        if request.xml.isEmpty {
            throw RPCError.invalidArgument("xml is required", fieldViolations: [("xml", "required")])
        }
        let file = request.fileName.isEmpty ? "request" : request.fileName
        let read: IATIReadResult
        do {
            read = try IATIReader.read(Data(request.xml), file: file, countries: countries)
        } catch let error as IATIImportError {
            throw RPCError.invalidArgument(error.description, fieldViolations: [("xml", error.description)])
        }
        let outcome = try await store.importActivities(read.programmes, actor: actor)
        return .with {
            $0.activities = Int32(read.programmes.count)
            $0.created = Int32(outcome.created)
            $0.updated = Int32(outcome.updated)
            $0.unchanged = Int32(outcome.unchanged)
            $0.warnings = read.warnings.map { warning in
                .with {
                    $0.line = Int32(warning.line)
                    $0.element = warning.element
                    $0.message = warning.message
                }
            }
        }
    }

    public func exportIatiActivities(
        request: Isid_Programmes_V1_ExportIatiActivitiesRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_ExportIatiActivitiesResponse {
        var violations = FieldViolations()
        var filter = self.filter(request.filter ?? .init(), violations: &violations)
        if !request.ids.isEmpty { filter.ids = request.ids }
        try violations.check()
        var programmes: [Programme] = []
        var after: String?
        while true {
            let page = try await store.programmes(matching: filter, afterID: after, limit: Self.summaryPage)
            programmes += page.map(\.programme)
            guard page.count == Self.summaryPage, let last = page.last else { break }
            after = last.programme.id
        }
        if let ids = filter.ids, let missing = Set(ids).subtracting(programmes.map(\.id)).sorted().first {
            throw RPCError(code: .notFound, message: "no programme \"\(missing)\"")
        }
        let writer = IATIWriter(countries: countries)
        let identifiers = Dictionary(
            programmes.map { ($0.id, writer.identifier(of: $0)) },
            uniquingKeysWith: { a, _ in a }
        )
        let xml = writer.document(programmes, generated: Self.timestamp()) { identifiers[$0] }
        return .with {
            $0.xml = Array(xml.utf8)
            $0.activities = Int32(programmes.count)
        }
    }

    /// Now as IATI's `generated-datetime`, e.g. "2026-11-29T23:40:00Z".
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func pad(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T"
            + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))Z"
    }
}
