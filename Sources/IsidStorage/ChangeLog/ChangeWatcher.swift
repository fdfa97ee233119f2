/// Follows a change log from a revision: each element is a non-empty batch of changes in revision order,
/// read from the log itself, so a watch resumed after the last batch's `throughRevision` misses nothing and
/// repeats nothing. When it has read everything committed, it sleeps until the source's notifier reports a
/// commit (of this process at once, of another process sharing the database within the notifier's poll
/// interval); it ends when the notifier shuts down (the server drains) or the iterating task is cancelled.
public struct ChangeWatcher<Record: ChangeRecord>: AsyncSequence, Sendable {
    public typealias Element = ChangeBatch<Record>

    let source: any ChangeSource<Record>
    let startRevision: Int64
    let filter: ChangeFilter
    let batchSize: Int

    /// Watches changes after `revision` that `filter` admits, at most `batchSize` per batch. Generic so that
    /// a service's store existential (`any IndicatorStore`) opens here: Swift does not convert it to
    /// `any ChangeSource<Record>` directly.
    public init<Source: ChangeSource<Record>>(
        source: Source,
        after revision: Int64,
        filter: ChangeFilter,
        batchSize: Int
    ) {
        precondition(batchSize > 0, "a batch holds at least one change")
        self.source = source
        self.startRevision = revision
        self.filter = filter
        self.batchSize = batchSize
    }

    /// Subscribes to the notifier before the first read, so a commit between a read and the wait that
    /// follows it still wakes the watcher; the notifier polls the log's head for other processes' commits.
    public func makeAsyncIterator() -> Iterator {
        let source = self.source
        let wakeUps = source.notifier.subscribe(polling: { try await source.currentRevision() })
        return Iterator(watcher: self, wakeUps: wakeUps.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        let watcher: ChangeWatcher
        var wakeUps: AsyncStream<Int64>.Iterator
        var cursor: Int64
        /// Whether the last read reached the head of the log: nothing more until the next commit.
        var caughtUp = false

        init(watcher: ChangeWatcher, wakeUps: AsyncStream<Int64>.Iterator) {
            self.watcher = watcher
            self.wakeUps = wakeUps
            self.cursor = watcher.startRevision
        }

        public mutating func next() async throws -> ChangeBatch<Record>? {
            while !Task.isCancelled {
                // A finished subscription (notifier shut down, task cancelled) ends the watch.
                if caughtUp, await wakeUps.next(isolation: #isolation) == nil { return nil }
                let batch = try await watcher.source.changes(
                    after: cursor,
                    matching: watcher.filter,
                    limit: watcher.batchSize
                )
                cursor = batch.throughRevision
                // A full batch may have more behind it: read again at once.
                caughtUp = batch.changes.count < watcher.batchSize
                if !batch.changes.isEmpty { return batch }
            }
            return nil
        }
    }
}
