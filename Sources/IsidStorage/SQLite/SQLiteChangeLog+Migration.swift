public import GRDB

extension SQLiteChangeLog {
    /// Creates the table and its index (a service's first migration that has a change log).
    public func createTable(in db: Database) throws {
        try db.execute(sql: schemaSQL)
    }

    /// Replaces an existing change-log table of this name by ``schemaSQL`` (SQLite cannot alter a CHECK
    /// constraint or rename columns in place), copying every change with its revision and keeping the
    /// AUTOINCREMENT counter, so every revision token already issued stays valid and the next change gets
    /// the next revision. `oldColumns` are the old table's SQL expressions for `revision`, `operation` and
    /// the record's columns, in order. Run it inside a migration (one transaction).
    public func rebuildTable(in db: Database, selectingFromOldTable oldColumns: [String]) throws {
        precondition(oldColumns.count == Record.columns.count + 2, "one expression per new column")
        let old = "\(table)_before_rebuild"
        try db.execute(sql: "ALTER TABLE \(table) RENAME TO \(old)")
        // The old table's indexes keep their names; drop them so the new ones may reuse any of them.
        let indexes = try String.fetchAll(
            db,
            sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            arguments: [old]
        )
        for index in indexes { try db.execute(sql: "DROP INDEX \(index.quotedDatabaseIdentifier)") }
        try createTable(in: db)
        let newColumns = ["revision", "operation"] + Record.columns.map(\.name)
        try db.execute(
            sql: """
                INSERT INTO \(table) (\(newColumns.joined(separator: ", ")))
                SELECT \(oldColumns.joined(separator: ", ")) FROM \(old) ORDER BY revision
                """
        )
        // Inserting explicit revisions already moved the counter to the highest one; keep the old counter if
        // it was ahead (it never is while nothing deletes from a change log, but a token must never repeat).
        try db.execute(
            sql: """
                UPDATE sqlite_sequence
                SET seq = MAX(seq, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = ?), 0))
                WHERE name = ?
                """,
            arguments: [old, table]
        )
        try db.execute(sql: "DROP TABLE \(old)")
    }
}
