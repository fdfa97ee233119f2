public import IsidStorage
public import PostgresNIO

/// The PostgreSQL change log's columns for a parity event: those of the SQLite log, typed for PostgreSQL.
extension ParityChange: PostgresChangeRecord {
    public static let postgresColumns = [
        PostgresColumn("kind", "TEXT NOT NULL"),
        PostgresColumn("time", "BIGINT NOT NULL"),
        PostgresColumn("event_id", "TEXT NOT NULL"),
        PostgresColumn("panel_id", "TEXT NOT NULL"),
        // A Verdict's raw value, or '' when there was none.
        PostgresColumn("previous_verdict", "TEXT NOT NULL"),
        PostgresColumn("verdict", "TEXT NOT NULL"),
        PostgresColumn("policy_version", "INTEGER NOT NULL"),
        // Field names joined by commas.
        PostgresColumn("fields", "TEXT NOT NULL"),
        PostgresColumn("actor", "TEXT NOT NULL"),
    ]

    public static let postgresScopeColumn = "event_id"

    public func appendColumnValues(to binds: inout PostgresBindings) throws {
        binds.append(kind.rawValue)
        binds.append(time)
        binds.append(eventID)
        binds.append(panelID)
        binds.append(previousVerdictText)
        binds.append(verdictText)
        binds.append(Int32(policyVersion))
        binds.append(fieldsText)
        binds.append(actor)
    }

    public init(
        changeLogRow row: PostgresRandomAccessRow,
        from offset: Int,
        revision: Int64,
        operation: ChangeOperation
    ) throws {
        self.init(
            operation: operation,
            kindText: try row[offset].decode(String.self),
            time: try row[offset + 1].decode(Int64.self),
            eventID: try row[offset + 2].decode(String.self),
            panelID: try row[offset + 3].decode(String.self),
            previousVerdictText: try row[offset + 4].decode(String.self),
            verdictText: try row[offset + 5].decode(String.self),
            policyVersion: Int(try row[offset + 6].decode(Int32.self)),
            fieldsText: try row[offset + 7].decode(String.self),
            actor: try row[offset + 8].decode(String.self)
        )
    }
}
