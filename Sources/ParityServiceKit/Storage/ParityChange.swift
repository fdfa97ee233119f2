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

extension ParityChange: ChangeRecord {
    /// The event's id; policy publications have the empty scope, which watch filters always add.
    public var scope: String { eventID }
}

/// How both change logs keep a change's optional verdicts and field list, as text: a verdict's raw value or ''
/// for none, field names joined by commas.
extension ParityChange {
    var previousVerdictText: String { previousVerdict?.rawValue ?? "" }
    var verdictText: String { verdict?.rawValue ?? "" }
    var fieldsText: String { fields.joined(separator: ",") }

    /// A change as a log row holds it, in the texts above.
    init(
        operation: ChangeOperation,
        kindText: String,
        time: Int64,
        eventID: String,
        panelID: String,
        previousVerdictText: String,
        verdictText: String,
        policyVersion: Int,
        fieldsText: String,
        actor: String
    ) {
        self.init(
            operation: operation,
            kind: ParityChangeKind(rawValue: kindText) ?? .eventUpdated,
            time: time,
            eventID: eventID,
            panelID: panelID,
            previousVerdict: Verdict(rawValue: previousVerdictText),
            verdict: Verdict(rawValue: verdictText),
            policyVersion: policyVersion,
            fields: fieldsText.isEmpty ? [] : fieldsText.split(separator: ",").map(String.init),
            actor: actor
        )
    }
}
