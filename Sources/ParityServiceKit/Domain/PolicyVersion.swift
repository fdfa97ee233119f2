/// A publication a record rests on.
public struct SourceCitation: Hashable, Sendable, Codable {
    public var citation: String
    public var locator: String

    public init(citation: String, locator: String = "") {
        self.citation = citation
        self.locator = locator
    }
}

/// One version of the panel parity policy: settings in force from a day until the next version's day.
public struct PolicyVersion: Hashable, Sendable, Codable {
    public var version: Int
    /// A full date: the first day events are evaluated under this version.
    public var effectiveDate: PartialDate
    public var title: String
    public var sources: [SourceCitation]
    public var settings: PolicySettings
    /// Seconds since the Unix epoch.
    public var published: Int64

    public init(
        version: Int,
        effectiveDate: PartialDate,
        title: String,
        sources: [SourceCitation] = [],
        settings: PolicySettings,
        published: Int64 = 0
    ) {
        self.version = version
        self.effectiveDate = effectiveDate
        self.title = title
        self.sources = sources
        self.settings = settings
        self.published = published
    }
}

/// The published versions, and which one applies to an event.
public struct PolicyHistory: Sendable {
    /// Ordered by effective date (which publishing keeps increasing with the version number).
    public let versions: [PolicyVersion]

    public init(_ versions: [PolicyVersion]) {
        self.versions = versions.sorted { $0.effectiveDate.earliestDay < $1.effectiveDate.earliestDay }
    }

    /// The version in force on an event that starts on `date`. A date known only to the month or year is
    /// taken at its last possible day: an event in the month a version took effect is held to that version
    /// (the stricter reading; the evaluation says which version it used).
    public func inForce(on date: PartialDate) -> PolicyVersion? {
        let day = date.latestDay
        return versions.last { $0.effectiveDate.earliestDay <= day }
    }

    /// Why `candidate` cannot be published after these versions: its effective date must be a full date after
    /// the latest version's, so no published evaluation changes in the past.
    public func problemPublishing(_ candidate: PolicyVersion) -> String? {
        guard let latest = versions.last else { return nil }
        if candidate.effectiveDate.earliestDay <= latest.effectiveDate.earliestDay {
            return "must be after \(latest.effectiveDate), the effective date of version \(latest.version)"
        }
        return nil
    }
}
