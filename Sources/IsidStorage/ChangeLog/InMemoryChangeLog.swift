import IsidSync

/// A change log in memory: the reference ``ChangeSource`` for tests of code that watches or writes changes,
/// and the simplest model of what a database-backed log must do.
public final class InMemoryChangeLog<Record: ChangeRecord>: ChangeSource {
    private let entries = Lock<[LoggedChange<Record>]>([])
    public let notifier = ChangeNotifier()

    public init() {}

    /// Appends `records` as one commit (consecutive revisions, visible together), wakes watchers, and
    /// returns the revision of the last one (the head if `records` is empty).
    @discardableResult
    public func append(_ records: [Record]) -> Int64 {
        let head = entries.withLock { entries in
            var revision = entries.last?.revision ?? 0
            for record in records {
                revision += 1
                entries.append(LoggedChange(revision: revision, record: record))
            }
            return revision
        }
        if !records.isEmpty { notifier.publish(revision: head) }
        return head
    }

    public func currentRevision() -> Int64 {
        entries.withLock { $0.last?.revision ?? 0 }
    }

    public func changes(after revision: Int64, matching filter: ChangeFilter, limit: Int) -> ChangeBatch<Record> {
        entries.withLock { entries in
            let head = entries.last?.revision ?? 0
            // Revisions start at 1 and have no gaps, so revision r is at index r - 1.
            let start = Int(min(max(revision, 0), head))
            let matching = entries[start...].lazy.filter { filter.admits($0.record) }.prefix(limit)
            return ChangeBatch(changes: Array(matching), limit: limit, after: revision, head: head)
        }
    }
}
