public import Logging
public import PostgresNIO

/// A ``ChangeRecord`` that ``PostgresChangeLog`` stores in typed columns of its own, as ``SQLiteChangeRecord``
/// does in SQLite: the same columns under the same names, with PostgreSQL's types.
public protocol PostgresChangeRecord: ChangeRecord {
    /// The record's columns, after the log's `revision` and `operation`, in the order
    /// ``appendColumnValues(to:)`` binds them and ``init(changeLogRow:operation:)`` reads them.
    static var postgresColumns: [PostgresColumn] { get }
    /// The column holding ``ChangeRecord/scope``; indexed with the revision.
    static var postgresScopeColumn: String { get }

    /// Binds this record's values of ``postgresColumns``, in order.
    func appendColumnValues(to binds: inout PostgresBindings) throws

    /// The record in a change-log row: ``postgresColumns`` in order from index `offset`; the change's revision
    /// and operation already read.
    init(
        changeLogRow row: PostgresRandomAccessRow,
        from offset: Int,
        revision: Int64,
        operation: ChangeOperation
    ) throws
}

/// A column of a table the shared PostgreSQL code creates: its name, and its SQL type and constraints.
public struct PostgresColumn: Sendable, Hashable {
    public var name: String
    /// For example `TEXT NOT NULL`.
    public var definition: String

    public init(_ name: String, _ definition: String) {
        self.name = name
        self.definition = definition
    }
}

/// A service's change log in its PostgreSQL database: one row per change, `revision BIGINT PRIMARY KEY`, the
/// operation, and the record's own columns.
///
/// Revisions must commit in order, or a watcher that read up to revision 6 would never see a 5 that committed
/// later. A sequence does not promise that with concurrent writers, so writers take turns: an append takes a
/// transaction-level advisory lock on the log, reads the newest revision and numbers its changes after it; the
/// lock is held until the transaction ends, so the next writer numbers after a committed head. (SQLite has one
/// writer anyway; a service's writes are few next to its reads.) The last append notifies the log's channel
/// with the new head, which PostgreSQL delivers to every listening replica when the transaction commits.
public struct PostgresChangeLog<Record: PostgresChangeRecord>: Sendable {
    public let table: String
    /// The LISTEN/NOTIFY channel every replica's ``PostgresChangeListener`` listens on.
    public let channel: String
    private let lockKey: Int64
    private let appendSQL: String
    /// `INSERT INTO table (columns) VALUES `, for multi-row appends.
    let insertPrefix: String
    private let selectColumns: String

    public init(table: String = "change_log", channel: String) {
        self.table = table
        self.channel = channel
        lockKey = PostgresLockKey.of("isid-change-log:\(channel):\(table)")
        let names = Record.postgresColumns.map(\.name)
        let placeholders = (1...(names.count + 2)).map { "$\($0)" }.joined(separator: ", ")
        insertPrefix = "INSERT INTO \(table) (revision, operation, \(names.joined(separator: ", "))) VALUES "
        appendSQL = insertPrefix + "(\(placeholders))"
        selectColumns = (["c.revision", "c.operation"] + names.map { "c.\($0)" }).joined(separator: ", ")
    }

    /// The table and its index, for a service's migrations.
    public var schemaStatements: [String] {
        let operations = ChangeOperation.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let columns = Record.postgresColumns.map { ",\n    \($0.name) \($0.definition)" }.joined()
        return [
            """
            CREATE TABLE \(table) (
                revision BIGINT PRIMARY KEY,
                operation TEXT NOT NULL CHECK (operation IN (\(operations)))\(columns)
            )
            """,
            "CREATE INDEX \(table)_by_scope ON \(table) (\(Record.postgresScopeColumn), revision)",
        ]
    }

    /// An appender for `transaction` (a connection inside a transaction): takes the log's lock, so call it
    /// where the transaction's writes begin.
    public func appender(in transaction: PostgresConnection, logger: Logger) async throws -> Appender {
        try await transaction.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
        let head = try await currentRevision(on: transaction, logger: logger)
        return Appender(log: self, connection: transaction, logger: logger, next: head + 1)
    }

    /// The newest committed revision (0 for an empty log).
    public func currentRevision(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT COALESCE(MAX(revision), 0)::BIGINT FROM \(table)"),
            logger: logger
        )
        for try await head in rows.decode(Int64.self) { return head }
        return 0
    }

    /// Changes after `revision` that `filter` admits, at most `limit`: one statement, so the head and the
    /// rows come from one snapshot.
    public func changes(
        after revision: Int64,
        matching filter: ChangeFilter,
        limit: Int,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> ChangeBatch<Record> {
        var binds = PostgresBindings()
        binds.append(revision)
        binds.append(Int64(limit))
        var scopeClause = ""
        if !filter.scopes.isEmpty {
            binds.append(filter.scopes.sorted())
            scopeClause = "AND c.\(Record.postgresScopeColumn) = ANY($3)"
        }
        // Always one row at least: the head, with the changes (or NULLs) beside it.
        let sql = """
            SELECT h.head, \(selectColumns)
            FROM (SELECT COALESCE(MAX(revision), 0)::BIGINT AS head FROM \(table)) h
            LEFT JOIN LATERAL (
                SELECT * FROM \(table) c WHERE c.revision > $1 AND c.revision <= h.head \(scopeClause)
                ORDER BY c.revision LIMIT $2
            ) c ON true
            """
        var head: Int64 = 0
        var changes: [LoggedChange<Record>] = []
        for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) {
            let columns = row.makeRandomAccess()
            head = try columns[0].decode(Int64.self)
            guard let changeRevision = try columns[1].decode(Int64?.self) else { continue }
            let operationText = try columns[2].decode(String.self)
            guard let operation = ChangeOperation(rawValue: operationText) else {
                throw PostgresChangeLogError.unknownOperation(operationText, revision: changeRevision)
            }
            changes.append(
                LoggedChange(
                    revision: changeRevision,
                    record: try Record(changeLogRow: columns, from: 3, revision: changeRevision, operation: operation)
                )
            )
        }
        return ChangeBatch(changes: changes, limit: limit, after: revision, head: head)
    }

    /// Appends inside one transaction, numbering after the head it locked.
    public final class Appender {
        let log: PostgresChangeLog
        let connection: PostgresConnection
        let logger: Logger
        /// The revision the next append gets.
        public private(set) var next: Int64

        init(log: PostgresChangeLog, connection: PostgresConnection, logger: Logger, next: Int64) {
            self.log = log
            self.connection = connection
            self.logger = logger
            self.next = next
        }

        /// The newest revision: the last appended, or the head when nothing was.
        public var head: Int64 { next - 1 }

        /// Appends `record` and returns its revision.
        @discardableResult
        public func append(_ record: Record) async throws -> Int64 {
            var binds = PostgresBindings()
            binds.append(next)
            binds.append(record.operation.rawValue)
            try record.appendColumnValues(to: &binds)
            try await connection.query(PostgresQuery(unsafeSQL: log.appendSQL, binds: binds), logger: logger)
            next += 1
            return next - 1
        }

        /// Appends `records` in order, several rows per statement; returns their revisions.
        @discardableResult
        public func append(contentsOf records: [Record]) async throws -> [Int64] {
            let width = Record.postgresColumns.count + 2
            // PostgreSQL takes at most 65,535 parameters a statement.
            let rowsPerStatement = max(1, min(500, 65_535 / width))
            var revisions: [Int64] = []
            revisions.reserveCapacity(records.count)
            var start = records.startIndex
            while start < records.endIndex {
                let end = min(start + rowsPerStatement, records.endIndex)
                var binds = PostgresBindings()
                var rows: [String] = []
                for record in records[start..<end] {
                    let first = binds.count + 1
                    binds.append(next)
                    binds.append(record.operation.rawValue)
                    try record.appendColumnValues(to: &binds)
                    rows.append("(" + (first..<(first + width)).map { "$\($0)" }.joined(separator: ", ") + ")")
                    revisions.append(next)
                    next += 1
                }
                let sql = log.insertPrefix + rows.joined(separator: ", ")
                try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger)
                start = end
            }
            return revisions
        }

        /// Tells every listening replica of the new head when the transaction commits (nothing if it rolls
        /// back). Call it last in the transaction, after the appends.
        public func notify() async throws {
            try await connection.query("SELECT pg_notify(\(log.channel), \(String(head)))", logger: logger)
        }
    }
}

/// A change-log row this build cannot read (written by a newer version, or edited by hand).
public enum PostgresChangeLogError: Error, Hashable {
    case unknownOperation(String, revision: Int64)
}
