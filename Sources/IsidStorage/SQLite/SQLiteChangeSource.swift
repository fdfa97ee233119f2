public import GRDB

/// A ``ChangeSource`` whose log is a ``SQLiteChangeLog`` in a WAL database: a service's SQLite store declares
/// its pool and its log and gets `currentRevision()` and `changes(after:matching:limit:)`, each read in one
/// snapshot on a reader connection.
public protocol SQLiteChangeSource: ChangeSource where Record: SQLiteChangeRecord {
    var pool: DatabasePool { get }
    static var changeLog: SQLiteChangeLog<Record> { get }
}

extension SQLiteChangeSource {
    public func currentRevision() async throws -> Int64 {
        try await pool.read { db in try Self.changeLog.currentRevision(in: db) }
    }

    public func changes(
        after revision: Int64,
        matching filter: ChangeFilter,
        limit: Int
    ) async throws -> ChangeBatch<Record> {
        try await pool.read { db in
            try Self.changeLog.changes(after: revision, matching: filter, limit: limit, in: db)
        }
    }
}
