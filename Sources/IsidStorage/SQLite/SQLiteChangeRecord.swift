public import GRDB

/// A ``ChangeRecord`` that ``SQLiteChangeLog`` stores in typed columns of its own (not an encoded payload):
/// appends bind plain values, reads map rows by position, and a PostgreSQL log can mirror the columns.
public protocol SQLiteChangeRecord: ChangeRecord {
    /// The record's columns, after the log's `revision` and `operation`, in the order ``columnValues`` binds
    /// them and ``init(changeLogRow:operation:)`` reads them.
    static var columns: [SQLiteColumn] { get }
    /// The column holding ``ChangeRecord/scope``; indexed with the revision so a filtered read is a range scan.
    static var scopeColumn: String { get }

    /// This record's values of ``columns``, in order.
    var columnValues: StatementArguments { get }

    /// The record in a change-log row: its revision at index 0, its operation (already parsed) at 1, and
    /// ``columns`` in order from index 2. Reading by position: a lookup by name lower-cases the name for
    /// every value.
    init(changeLogRow row: Row, operation: ChangeOperation)
}

/// A column of a table the shared SQLite code creates: its name and its SQL type and constraints.
public struct SQLiteColumn: Sendable, Hashable {
    public var name: String
    /// For example `TEXT NOT NULL`; the tables are STRICT, so the type is enforced.
    public var definition: String

    public init(_ name: String, _ definition: String) {
        self.name = name
        self.definition = definition
    }
}
