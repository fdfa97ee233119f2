public import GRDB
public import IsidStorage

/// What a parity event in the change log says happened.
public enum ParityChangeKind: String, Sendable, Hashable {
    case eventRegistered = "event_registered"
    case eventUpdated = "event_updated"
    case panelChanged = "panel_changed"
    case complianceChanged = "compliance_changed"
    case policyPublished = "policy_published"
}

/// One parity event as the change log keeps it: ids, verdicts and field names, never a name or an
/// organisation, so erasing a participant has nothing to rewrite here.
public struct ParityChange: Hashable, Sendable {
    public var operation: ChangeOperation
    public var kind: ParityChangeKind
    /// Seconds since the Unix epoch, UTC.
    public var time: Int64
    /// The event concerned; empty for a policy publication.
    public var eventID: String
    public var panelID: String
    /// For compliance changes; nil when the panel could not be evaluated (no speakers, no date).
    public var previousVerdict: Verdict?
    public var verdict: Verdict?
    /// The version published, or the one the verdict used (0: none).
    public var policyVersion: Int
    /// What changed, e.g. ["participant_added"] or ["title", "start_date"].
    public var fields: [String]
    /// The caller's subject; empty for seeding.
    public var actor: String

    public init(
        operation: ChangeOperation,
        kind: ParityChangeKind,
        time: Int64,
        eventID: String,
        panelID: String = "",
        previousVerdict: Verdict? = nil,
        verdict: Verdict? = nil,
        policyVersion: Int = 0,
        fields: [String] = [],
        actor: String = ""
    ) {
        self.operation = operation
        self.kind = kind
        self.time = time
        self.eventID = eventID
        self.panelID = panelID
        self.previousVerdict = previousVerdict
        self.verdict = verdict
        self.policyVersion = policyVersion
        self.fields = fields
        self.actor = actor
    }
}

extension ParityChange: SQLiteChangeRecord {
    /// The event's id; policy publications have the empty scope, which watch filters always add.
    public var scope: String { eventID }

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
            kind.rawValue, time, eventID, panelID, previousVerdict?.rawValue ?? "", verdict?.rawValue ?? "",
            policyVersion, fields.joined(separator: ","), actor,
        ]
    }

    public init(changeLogRow row: Row, operation: ChangeOperation) {
        // Index 0 is the revision, 1 the operation, then the columns above in order.
        let fields: String = row[9]
        self.init(
            operation: operation,
            kind: ParityChangeKind(rawValue: row[2]) ?? .eventUpdated,
            time: row[3],
            eventID: row[4],
            panelID: row[5],
            previousVerdict: Verdict(rawValue: row[6]),
            verdict: Verdict(rawValue: row[7]),
            policyVersion: row[8],
            fields: fields.isEmpty ? [] : fields.split(separator: ",").map(String.init),
            actor: row[10]
        )
    }
}
