/// Figures of one group of panels.
public struct ComplianceFigures: Hashable, Sendable {
    public var events = 0
    public var panels = 0
    public var compliant = 0
    public var nonCompliant = 0
    public var exempt = 0
    public var counts = ParticipantCounts()

    public init() {}

    mutating func add(_ verdict: Verdict, counts: ParticipantCounts) {
        panels += 1
        switch verdict {
        case .compliant: compliant += 1
        case .nonCompliant: nonCompliant += 1
        case .exempt: exempt += 1
        }
        self.counts = self.counts + counts
    }
}

/// An event with its panels' evaluations, as a report takes them.
public struct EvaluatedEvent: Sendable {
    public var event: Event
    /// Each panel's verdict and counts.
    public var panels: [(verdict: Verdict, counts: ParticipantCounts, policyVersion: Int)]

    public init(event: Event, panels: [(verdict: Verdict, counts: ParticipantCounts, policyVersion: Int)]) {
        self.event = event
        self.panels = panels
    }
}

/// Compliance in total and by quarter, kind, organizer and country: a pure aggregation of evaluations.
public struct ComplianceReport: Sendable {
    public var total = ComplianceFigures()
    public var byQuarter: [String: ComplianceFigures] = [:]
    public var byKind: [String: ComplianceFigures] = [:]
    public var byOrganizer: [String: ComplianceFigures] = [:]
    public var byCountry: [String: ComplianceFigures] = [:]
    public var policyVersions: Set<Int> = []

    public init(events: [EvaluatedEvent]) {
        for evaluated in events {
            let event = evaluated.event
            let keys: [WritableKeyPath<ComplianceReport, [String: ComplianceFigures]>: String] = [
                \.byQuarter: Self.quarter(of: event.startDate),
                \.byKind: event.kind.rawValue,
                \.byOrganizer: event.organizer,
                \.byCountry: event.countryCode,
            ]
            total.events += 1
            for (path, key) in keys { self[keyPath: path][key, default: ComplianceFigures()].events += 1 }
            for panel in evaluated.panels {
                total.add(panel.verdict, counts: panel.counts)
                for (path, key) in keys {
                    self[keyPath: path][key, default: ComplianceFigures()].add(panel.verdict, counts: panel.counts)
                }
                policyVersions.insert(panel.policyVersion)
            }
        }
    }

    /// "2020-Q3", or "2020" when only the year is known, or "" without a date.
    public static func quarter(of date: PartialDate?) -> String {
        guard let date else { return "" }
        guard let month = date.month else { return PartialDate.pad(date.year, 4) }
        return "\(PartialDate.pad(date.year, 4))-Q\((month - 1) / 3 + 1)"
    }
}
