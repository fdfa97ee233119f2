public import Foundation
public import GRDB
public import IsidStorage

/// One committed change of one programme, as the change log keeps it: what happened, who did it, and the
/// programme as it was after the change.
public struct ProgrammeChange: Hashable, Sendable {
    public var operation: ChangeOperation
    public var programmeID: String
    public var kind: ProgrammeChangeKind
    /// Seconds since the Unix epoch, UTC.
    public var time: Int64
    /// The authenticated caller's subject; empty for seeding and command-line imports.
    public var actor: String
    /// The fields the change set, e.g. ["title", "status"].
    public var fields: [String]
    public var reason: String
    /// The programme after the change, as its stored document.
    public var document: Data

    public init(
        operation: ChangeOperation,
        programmeID: String,
        kind: ProgrammeChangeKind,
        time: Int64,
        actor: String,
        fields: [String],
        reason: String,
        document: Data
    ) {
        self.operation = operation
        self.programmeID = programmeID
        self.kind = kind
        self.time = time
        self.actor = actor
        self.fields = fields
        self.reason = reason
        self.document = document
    }
}

extension ProgrammeChange: SQLiteChangeRecord {
    public var scope: String { programmeID }

    public static let columns = [
        SQLiteColumn("programme_id", "TEXT NOT NULL"),
        SQLiteColumn("kind", "TEXT NOT NULL"),
        SQLiteColumn("time", "INTEGER NOT NULL"),
        SQLiteColumn("actor", "TEXT NOT NULL"),
        // Field paths joined by commas.
        SQLiteColumn("fields", "TEXT NOT NULL"),
        SQLiteColumn("reason", "TEXT NOT NULL"),
        SQLiteColumn("document", "BLOB NOT NULL"),
    ]

    public static let scopeColumn = "programme_id"

    public var columnValues: StatementArguments {
        [programmeID, kind.rawValue, time, actor, fields.joined(separator: ","), reason, document]
    }

    public init(changeLogRow row: Row, operation: ChangeOperation) {
        // Index 0 is the revision, 1 the operation, then the columns above in order.
        let fields: String = row[6]
        self.init(
            operation: operation,
            programmeID: row[2],
            kind: ProgrammeChangeKind(rawValue: row[3]) ?? .updated,
            time: row[4],
            actor: row[5],
            fields: fields.isEmpty ? [] : fields.split(separator: ",").map(String.init),
            reason: row[7],
            document: row[8]
        )
    }
}
