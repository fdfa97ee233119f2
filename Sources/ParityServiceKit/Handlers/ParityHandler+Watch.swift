import IsidStorage
public import ParityAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ParityHandler {
    /// A first message with the token the stream starts after, then every parity event after it in revision
    /// order, read from the change log by the shared ChangeWatcher; it ends when the server drains.
    public func watchParityEvents(
        request: Isid_Parity_V1_WatchParityEventsRequest,
        responses: ResponseWriter<Isid_Parity_V1_WatchParityEventsResponse>,
        context: ServerContext
    ) async throws {
        let head = try await store.currentRevision()
        var start = head
        if !request.afterRevisionToken.isEmpty {
            do {
                start = try RevisionToken(validating: request.afterRevisionToken, currentRevision: head).revision
            } catch {
                throw RPCError.invalidArgument(
                    "after_revision_token: \(error)",
                    fieldViolations: [("after_revision_token", "\(error)")]
                )
            }
        }
        try await responses.write(.with { $0.revisionToken = RevisionToken(revision: start).description })
        // Policy publications have the empty scope and reach every filtered watch.
        let scopes = request.eventIds.isEmpty ? Set<String>() : Set(request.eventIds + [""])
        let watcher = ChangeWatcher(
            source: store,
            after: start,
            filter: ChangeFilter(scopes: scopes),
            batchSize: watchBatchSize
        )
        for try await batch in watcher {
            try await responses.write(
                .with {
                    $0.events = batch.changes.map(Self.parityEvent)
                    $0.revisionToken = RevisionToken(revision: batch.throughRevision).description
                }
            )
        }
    }

    static func parityEvent(_ logged: LoggedChange<ParityChange>) -> Isid_Parity_V1_ParityEvent {
        let record = logged.record
        return .with {
            $0.revisionToken = RevisionToken(revision: logged.revision).description
            $0.kind = record.kind.proto
            $0.time = ParityOutput.timestamp(record.time)
            $0.eventId = record.eventID
            $0.panelId = record.panelID
            $0.previousVerdict = record.previousVerdict?.proto ?? .unspecified
            $0.verdict = record.verdict?.proto ?? .unspecified
            $0.policyVersion = Int32(record.policyVersion)
            $0.fields = record.fields
        }
    }
}
