public import IndicatorsAPI
import IsidStorage
import ProtobufRuntime
public import RPCCore

extension IndicatorHandler {
    /// Sends a first message with the revision the stream starts after, then every change after it in
    /// revision order, read from the change log by a `ChangeWatcher` (so a client resuming with the last token
    /// it received misses nothing and sees nothing twice). It sleeps between commits and ends cleanly when the
    /// server drains.
    public func watchChanges(
        request: Isid_Indicators_V1_WatchChangesRequest,
        responses: ResponseWriter<Isid_Indicators_V1_WatchChangesResponse>,
        context: ServerContext
    ) async throws {
        try await requireKnownSeries(request.seriesCodes)
        let head = try await store.currentRevision()
        let start =
            request.afterRevisionToken.isEmpty
            ? head
            : try RevisionTokenField.parse(
                request.afterRevisionToken,
                field: "after_revision_token",
                currentRevision: head
            )
        try await responses.write(.with { $0.revisionToken = RevisionTokenField.format(start) })

        let watcher = ChangeWatcher(
            source: store,
            after: start,
            filter: ChangeFilter(scopes: Set(request.seriesCodes)),
            batchSize: watchBatchSize
        )
        for try await batch in watcher {
            try await responses.write(
                .with {
                    $0.changes = batch.changes.map(Isid_Indicators_V1_Change.init)
                    $0.revisionToken = RevisionTokenField.format(batch.throughRevision)
                }
            )
        }
    }
}
