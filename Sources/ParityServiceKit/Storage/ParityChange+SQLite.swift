public import GRDB
public import IsidStorage

/// The SQLite change log's columns for a parity event: ids, verdicts and field names, never a name.
extension ParityChange: SQLiteChangeRecord {
    public static let columns = [
        SQLiteColumn("kind", "TEXT NOT NULL"),
        SQLiteColumn("time", "INTEGER NOT NULL"),
        SQLiteColumn("event_id", "TEXT NOT NULL"),
        SQLiteColumn("panel_id", "TEXT NOT NULL"),
        // A Verdict's raw value, or '' when there was none.
        SQLiteColumn("previous_verdict", "TEXT NOT NULL"),
        SQLiteColumn("verdict", "TEXT NOT NULL"),
        SQLiteColumn("policy_version", "INTEGER NOT NULL"),
        // Field names joined by commas.
        SQLiteColumn("fields", "TEXT NOT NULL"),
        SQLiteColumn("actor", "TEXT NOT NULL"),
    ]

    public static let scopeColumn = "event_id"

    public var columnValues: StatementArguments {
        [
            kind.rawValue, time, eventID, panelID, previousVerdictText, verdictText, policyVersion, fieldsText,
            actor,
        ]
    }

    public init(changeLogRow row: Row, operation: ChangeOperation) {
        // Index 0 is the revision, 1 the operation, then the columns above in order.
        self.init(
            operation: operation,
            kindText: row[2],
            time: row[3],
            eventID: row[4],
            panelID: row[5],
            previousVerdictText: row[6],
            verdictText: row[7],
            policyVersion: row[8],
            fieldsText: row[9],
            actor: row[10]
        )
    }
}
