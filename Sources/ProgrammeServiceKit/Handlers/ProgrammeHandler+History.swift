import IsidStorage
public import ProgrammesAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ProgrammeHandler {
    public func listProgrammeHistory(
        request: Isid_Programmes_V1_ListProgrammeHistoryRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_ListProgrammeHistoryResponse {
        _ = try await requireProgramme(request.programmeId, field: "programme_id")
        if !(0...500).contains(request.pageSize) {
            throw RPCError.invalidArgument(
                "page_size is 1 to 500",
                fieldViolations: [("page_size", "1 to 500, or 0 for 100")]
            )
        }
        let pageSize = request.pageSize == 0 ? 100 : Int(request.pageSize)
        let head = try await store.currentRevision()
        let after = try revision(request.pageToken, field: "page_token", head: head) ?? 0
        let changes = try await store.history(programmeID: request.programmeId, after: after, limit: pageSize + 1)
        return try .with {
            $0.changes = try changes.prefix(pageSize).map(change)
            if changes.count > pageSize, let last = changes.prefix(pageSize).last {
                $0.nextPageToken = RevisionToken(revision: last.revision).description
            }
        }
    }

    /// A first message with the revision the stream starts after, then every change after it in revision order,
    /// read from the change log by the shared ChangeWatcher; it ends when the server drains.
    public func watchProgrammeChanges(
        request: Isid_Programmes_V1_WatchProgrammeChangesRequest,
        responses: ResponseWriter<Isid_Programmes_V1_WatchProgrammeChangesResponse>,
        context: ServerContext
    ) async throws {
        let head = try await store.currentRevision()
        let start = try revision(request.afterRevisionToken, field: "after_revision_token", head: head) ?? head
        try await responses.write(.with { $0.revisionToken = RevisionToken(revision: start).description })
        let watcher = ChangeWatcher(
            source: store,
            after: start,
            filter: ChangeFilter(scopes: Set(request.programmeIds)),
            batchSize: watchBatchSize
        )
        for try await batch in watcher {
            try await responses.write(
                try .with {
                    $0.changes = try batch.changes.map(change)
                    $0.revisionToken = RevisionToken(revision: batch.throughRevision).description
                }
            )
        }
    }

    /// The revision a token names; nil for an empty token. A token this database never issued is
    /// INVALID_ARGUMENT naming `field`.
    private func revision(_ token: String, field: String, head: Int64) throws -> Int64? {
        guard !token.isEmpty else { return nil }
        do {
            return try RevisionToken(validating: token, currentRevision: head).revision
        } catch {
            throw RPCError.invalidArgument("\(field): \(error)", fieldViolations: [(field, "\(error)")])
        }
    }

    private func change(_ logged: LoggedChange<ProgrammeChange>) throws -> Isid_Programmes_V1_ProgrammeChange {
        let record = logged.record
        let programme = try StoredDocuments.decode(Programme.self, record.document)
        return .with {
            $0.revisionToken = RevisionToken(revision: logged.revision).description
            $0.programmeId = record.programmeID
            $0.kind = record.kind.proto
            $0.time = .with { $0.seconds = record.time }
            $0.actor = record.actor
            $0.fields = record.fields
            $0.programme = output.proto(programme)
            $0.reason = record.reason
        }
    }
}

extension ProgrammeChangeKind {
    var proto: Isid_Programmes_V1_ChangeKind {
        switch self {
        case .created: .created
        case .updated: .updated
        case .statusChanged: .statusChanged
        case .fundingAdded: .fundingAdded
        case .transactionAdded: .transactionAdded
        case .agreementAdded: .agreementAdded
        case .imported: .imported
        }
    }
}
