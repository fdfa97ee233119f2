public import GRDB

// Reads through each connection's prepared-statement cache. A poller's GetLatestValues spent a quarter of
// its CPU in SQLite's parser when every call prepared its SQL afresh. SQL that varies only in the count of
// its `IN (?, …)` placeholders makes one cached statement per count, a bounded set.

extension Row {
    public static func fetchAllCached(
        _ db: Database,
        sql: String,
        arguments: StatementArguments = StatementArguments()
    ) throws -> [Row] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension DatabaseValueConvertible where Self: StatementColumnConvertible {
    public static func fetchOneCached(
        _ db: Database,
        sql: String,
        arguments: StatementArguments = StatementArguments()
    ) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }

    public static func fetchAllCached(
        _ db: Database,
        sql: String,
        arguments: StatementArguments = StatementArguments()
    ) throws -> [Self] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

/// Pieces of SQL text shared by the SQLite stores.
public enum SQLiteFragment {
    /// `?, ?, …` with `count` placeholders, for `IN (…)` lists.
    public static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
