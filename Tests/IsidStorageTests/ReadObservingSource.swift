import IsidStorage

/// Passes reads through to a log and reports each one, so a test can act once a watcher has caught up
/// (instead of sleeping and hoping it has).
struct ReadObservingSource: ChangeSource {
    let base: any ReadingLog
    /// One element per read: how many changes it returned.
    let reads: AsyncStream<Int>
    private let readsContinuation: AsyncStream<Int>.Continuation

    init(_ base: any ReadingLog) {
        self.base = base
        (reads, readsContinuation) = AsyncStream.makeStream(of: Int.self)
    }

    var notifier: ChangeNotifier { base.notifier }

    func currentRevision() async throws -> Int64 { try await base.currentRevision() }

    func changes(
        after revision: Int64,
        matching filter: ChangeFilter,
        limit: Int
    ) async throws -> ChangeBatch<Reading> {
        let batch = try await base.changes(after: revision, matching: filter, limit: limit)
        readsContinuation.yield(batch.changes.count)
        return batch
    }
}
