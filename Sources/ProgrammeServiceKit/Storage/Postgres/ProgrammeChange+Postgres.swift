import Foundation
public import IsidStorage
public import PostgresNIO

/// The PostgreSQL change log's columns for a programme change: those of the SQLite log, typed for PostgreSQL.
extension ProgrammeChange: PostgresChangeRecord {
    public static let postgresColumns = [
        PostgresColumn("programme_id", "TEXT NOT NULL"),
        PostgresColumn("kind", "TEXT NOT NULL"),
        PostgresColumn("time", "BIGINT NOT NULL"),
        PostgresColumn("actor", "TEXT NOT NULL"),
        // Field paths joined by commas.
        PostgresColumn("fields", "TEXT NOT NULL"),
        PostgresColumn("reason", "TEXT NOT NULL"),
        PostgresColumn("document", "BYTEA NOT NULL"),
    ]

    public static let postgresScopeColumn = "programme_id"

    public func appendColumnValues(to binds: inout PostgresBindings) throws {
        binds.append(programmeID)
        binds.append(kind.rawValue)
        binds.append(time)
        binds.append(actor)
        binds.append(fields.joined(separator: ","))
        binds.append(reason)
        binds.append(ByteBuffer(bytes: document))
    }

    public init(
        changeLogRow row: PostgresRandomAccessRow,
        from offset: Int,
        revision: Int64,
        operation: ChangeOperation
    ) throws {
        let fields = try row[offset + 4].decode(String.self)
        self.init(
            operation: operation,
            programmeID: try row[offset].decode(String.self),
            kind: ProgrammeChangeKind(rawValue: try row[offset + 1].decode(String.self)) ?? .updated,
            time: try row[offset + 2].decode(Int64.self),
            actor: try row[offset + 3].decode(String.self),
            fields: fields.isEmpty ? [] : fields.split(separator: ",").map(String.init),
            reason: try row[offset + 5].decode(String.self),
            document: try row[offset + 6].decode(Data.self)
        )
    }
}
