public import GRDB

/// A service's change log in its SQLite database: one row per change, `revision INTEGER PRIMARY KEY
/// AUTOINCREMENT` (so revisions only grow, in commit order, since SQLite has one writer), the operation, and
/// the record's own columns. Appends run inside the caller's write transaction, so a change and the write it
/// describes commit or roll back together; the caller publishes the new revision to its ``ChangeNotifier``
/// after the commit. Every statement goes through the connection's prepared-statement cache.
public struct SQLiteChangeLog<Record: SQLiteChangeRecord>: Sendable {
    public let table: String
    private let appendSQL: String
    private let selectSQL: String
    private let currentRevisionSQL: String

    public init(table: String = "change_log") {
        self.table = table
        let names = Record.columns.map(\.name)
        let placeholders = SQLiteFragment.placeholders(names.count + 1)
        appendSQL = "INSERT INTO \(table) (operation, \(names.joined(separator: ", "))) VALUES (\(placeholders))"
        selectSQL = "SELECT revision, operation, \(names.joined(separator: ", ")) FROM \(table)"
        currentRevisionSQL = "SELECT COALESCE(MAX(revision), 0) FROM \(table)"
    }

    /// The table and its index, for a service's migrations.
    public var schemaSQL: String {
        // `operation = 'a' OR operation = 'b' OR …`, not `IN ('a', 'b', …)`: SQLite evaluates an IN list of
        // three or more constants through an ephemeral table built at every execution of an insert, which
        // made each append of an import half as fast again.
        let operations = ChangeOperation.allCases.map { "operation = '\($0.rawValue)'" }.joined(separator: " OR ")
        let columns = Record.columns.map { "    \($0.name) \($0.definition),\n" }.joined()
        return """
            CREATE TABLE \(table) (
                revision INTEGER PRIMARY KEY AUTOINCREMENT,
                operation TEXT NOT NULL CHECK (\(operations)),
            \(columns.dropLast(2))
            ) STRICT;
            CREATE INDEX \(table)_by_scope ON \(table) (\(Record.scopeColumn), revision);
            """
    }

    /// Appends one record inside the current write transaction and returns its revision.
    public func append(_ record: Record, in db: Database) throws -> Int64 {
        try appender(in: db).append(record)
    }

    /// An appender holding the prepared insert, for a transaction that appends many records.
    public func appender(in db: Database) throws -> Appender {
        Appender(db: db, statement: try db.cachedStatement(sql: appendSQL))
    }

    /// The newest committed revision as `db` sees it (0 for an empty log).
    public func currentRevision(in db: Database) throws -> Int64 {
        try Int64.fetchOneCached(db, sql: currentRevisionSQL) ?? 0
    }

    /// Changes after `revision` that `filter` admits, at most `limit`, read in `db`'s snapshot.
    public func changes(
        after revision: Int64,
        matching filter: ChangeFilter,
        limit: Int,
        in db: Database
    ) throws -> ChangeBatch<Record> {
        let head = try currentRevision(in: db)
        var arguments: StatementArguments = [revision, head]
        var scopeClause = ""
        if !filter.scopes.isEmpty {
            let scopes = filter.scopes.sorted()
            scopeClause = "AND \(Record.scopeColumn) IN (\(SQLiteFragment.placeholders(scopes.count)))"
            _ = arguments.append(contentsOf: StatementArguments(scopes))
        }
        _ = arguments.append(contentsOf: [limit])
        let rows = try Row.fetchAllCached(
            db,
            sql: "\(selectSQL) WHERE revision > ? AND revision <= ? \(scopeClause) ORDER BY revision LIMIT ?",
            arguments: arguments
        )
        let changes = try rows.map { row in
            let operationText: String = row[1]
            guard let operation = ChangeOperation(rawValue: operationText) else {
                throw SQLiteChangeLogError.unknownOperation(operationText, revision: row[0])
            }
            return LoggedChange(revision: row[0], record: Record(changeLogRow: row, operation: operation))
        }
        return ChangeBatch(changes: changes, limit: limit, after: revision, head: head)
    }

    /// Appends through one prepared statement; lives only inside the write transaction that made it.
    public struct Appender {
        let db: Database
        let statement: Statement

        /// Appends `record` and returns its revision.
        public func append(_ record: Record) throws -> Int64 {
            var arguments: StatementArguments = [record.operation.rawValue]
            _ = arguments.append(contentsOf: record.columnValues)
            try statement.execute(arguments: arguments)
            return db.lastInsertedRowID
        }
    }
}

/// A change-log row this build cannot read (written by a newer version, or edited by hand).
public enum SQLiteChangeLogError: Error, Hashable {
    case unknownOperation(String, revision: Int64)
}
