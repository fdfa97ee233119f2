/// A change log as watchers read it: the seam each service's store implements once per database (SQLite
/// today, PostgreSQL beside it) and ``InMemoryChangeLog`` implements for tests.
public protocol ChangeSource<Record>: Sendable {
    associatedtype Record: ChangeRecord

    /// Wakes watchers when the log grows.
    var notifier: ChangeNotifier { get }

    /// The newest committed revision (0 for an empty log).
    func currentRevision() async throws -> Int64

    /// Changes after `revision` that `filter` admits, at most `limit`, in revision order, read in one
    /// snapshot; see ``ChangeBatch/init(changes:limit:after:head:)`` for where the reader resumes.
    func changes(after revision: Int64, matching filter: ChangeFilter, limit: Int) async throws -> ChangeBatch<Record>
}
