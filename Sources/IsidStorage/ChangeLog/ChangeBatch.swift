/// One read of a change log: the matching changes after a revision, and the revision to resume after.
public struct ChangeBatch<Record: ChangeRecord>: Sendable {
    public var changes: [LoggedChange<Record>]
    /// The revision the reader may resume after: the last change's revision when the batch was full, else
    /// the newest committed revision at the time of the read (non-matching changes up to it were skipped).
    public var throughRevision: Int64

    public init(changes: [LoggedChange<Record>], throughRevision: Int64) {
        self.changes = changes
        self.throughRevision = throughRevision
    }

    /// The batch a read of at most `limit` changes after `revision` returns when the log's head was `head`:
    /// every implementation of ``ChangeSource`` resumes by this one rule.
    public init(changes: [LoggedChange<Record>], limit: Int, after revision: Int64, head: Int64) {
        self.changes = changes
        if changes.count == limit, let last = changes.last {
            self.throughRevision = last.revision
        } else {
            self.throughRevision = max(head, revision)
        }
    }
}

extension ChangeBatch: Equatable where Record: Equatable {}
extension ChangeBatch: Hashable where Record: Hashable {}
