public import IndicatorsAPI
import IsidStorage
import ProtobufRuntime
public import RPCCore

extension IndicatorHandler {
    /// Sends a first message with the revision the stream starts after, then every change after it in
    /// revision order, read from the change log (so a client resuming with the last token it received misses
    /// nothing and sees nothing twice). It sleeps between commits and ends cleanly when the server drains.
    public func watchChanges(
        request: Isid_Indicators_V1_WatchChangesRequest,
        responses: ResponseWriter<Isid_Indicators_V1_WatchChangesResponse>,
        context: ServerContext
    ) async throws {
        try await requireKnownSeries(request.seriesCodes)
        let series = Set(request.seriesCodes)
        // Subscribe before the first read, so a commit between the read and the wait still wakes us.
        let wakeUps = store.notifier.subscribe()
        let head = try await store.currentRevision()
        var cursor =
            request.afterRevisionToken.isEmpty
            ? head
            : try RevisionTokenField.parse(
                request.afterRevisionToken,
                field: "after_revision_token",
                currentRevision: head
            )
        try await responses.write(.with { $0.revisionToken = RevisionTokenField.format(cursor) })

        var iterator = wakeUps.makeAsyncIterator()
        while !Task.isCancelled {
            let batch = try await store.changes(after: cursor, seriesCodes: series, limit: watchBatchSize)
            if !batch.changes.isEmpty {
                try await responses.write(
                    .with {
                        $0.changes = batch.changes.map(Isid_Indicators_V1_Change.init)
                        $0.revisionToken = RevisionTokenField.format(batch.throughRevision)
                    }
                )
            }
            cursor = batch.throughRevision
            if batch.changes.count == watchBatchSize { continue }
            // Nothing more for now: wait for a commit in this process, or the notifier ending (drain).
            guard await iterator.next() != nil else { return }
        }
    }
}
