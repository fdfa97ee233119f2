public import Logging
import PostgresNIO

/// A ``ChangeSource`` whose log is a ``PostgresChangeLog``: a service's PostgreSQL store declares its database
/// and its log and gets `currentRevision()` and `changes(after:matching:limit:)`.
public protocol PostgresChangeSource: ChangeSource where Record: PostgresChangeRecord {
    var database: PostgresPool { get }
    var logger: Logger { get }
    static var changeLog: PostgresChangeLog<Record> { get }
}

extension PostgresChangeSource {
    public func currentRevision() async throws -> Int64 {
        try await database.withConnection { connection in
            try await Self.changeLog.currentRevision(on: connection, logger: logger)
        }
    }

    public func changes(
        after revision: Int64,
        matching filter: ChangeFilter,
        limit: Int
    ) async throws -> ChangeBatch<Record> {
        try await database.withConnection { connection in
            try await Self.changeLog.changes(
                after: revision,
                matching: filter,
                limit: limit,
                on: connection,
                logger: logger
            )
        }
    }
}
