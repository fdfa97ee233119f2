/// One rule of an evaluation and how it came out. Its message never names a person.
public struct EvaluationReason: Hashable, Sendable {
    public var rule: Rule
    public var outcome: RuleOutcome
    public var message: String

    public init(_ rule: Rule, _ outcome: RuleOutcome, _ message: String) {
        self.rule = rule
        self.outcome = outcome
        self.message = message
    }
}

/// A panel held against one policy version (or none).
public struct PanelEvaluation: Hashable, Sendable {
    public var verdict: Verdict
    public var reasons: [EvaluationReason]
    /// Nil when no version was in force.
    public var policy: PolicyVersion?
    public var counts: ParticipantCounts
    /// Speakers counted with women under the settings, and the share's denominator.
    public var countedWomenSpeakers: Int
    public var countedSpeakers: Int
}

/// Why a panel cannot be evaluated at all.
public enum EvaluationError: Error, Hashable, Sendable {
    /// The policy is about speakers; a panel without any has nothing to evaluate.
    case noSpeakers
    /// The event's date chooses the version; without one nothing can be chosen.
    case undatedEvent
}

extension EvaluationError {
    public var description: String {
        switch self {
        case .noSpeakers: "the panel has no speakers (speaker, keynote or panellist) to evaluate"
        case .undatedEvent: "the event has no start date, so no policy version can be chosen"
        }
    }
}
