import Foundation

/// An event UNIDO organizes, hosts or holds under its auspices.
public struct Event: Hashable, Sendable, Codable {
    public var title: String
    public var kind: EventKind
    public var unidoRole: UnidoRole
    public var organizer: String
    public var coOrganizers: [String]
    public var themes: [Theme]
    public var startDate: PartialDate?
    public var endDate: PartialDate?
    /// Length in days when a source states it but not the dates.
    public var durationDays: Int
    public var online: Bool
    public var venue: String
    /// ISO 3166-1 alpha-3, upper case, or empty.
    public var countryCode: String
    public var programmeID: String
    public var programmeLink: ProgrammeLinkStatus
    public var sources: [SourceCitation]
    /// Made up for a demonstration; left out of lists and reports unless asked for.
    public var example: Bool
    public var description: String

    public init(
        title: String,
        kind: EventKind,
        unidoRole: UnidoRole,
        organizer: String = "UNIDO",
        coOrganizers: [String] = [],
        themes: [Theme] = [],
        startDate: PartialDate? = nil,
        endDate: PartialDate? = nil,
        durationDays: Int = 0,
        online: Bool = false,
        venue: String = "",
        countryCode: String = "",
        programmeID: String = "",
        programmeLink: ProgrammeLinkStatus = .none,
        sources: [SourceCitation] = [],
        example: Bool = false,
        description: String = ""
    ) {
        self.title = title
        self.kind = kind
        self.unidoRole = unidoRole
        self.organizer = organizer
        self.coOrganizers = coOrganizers
        self.themes = themes
        self.startDate = startDate
        self.endDate = endDate
        self.durationDays = durationDays
        self.online = online
        self.venue = venue
        self.countryCode = countryCode
        self.programmeID = programmeID
        self.programmeLink = programmeLink
        self.sources = sources
        self.example = example
        self.description = description
    }

    /// What is wrong with the event's own fields, as (field, description) with Event's proto field names.
    public var problems: [(field: String, description: String)] {
        var problems: [(field: String, description: String)] = []
        if title.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("title", "required")) }
        if organizer.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("organizer", "required")) }
        if let startDate, let endDate, endDate.latestDay < startDate.earliestDay {
            problems.append(("end_date", "\(endDate) is before the start date \(startDate)"))
        }
        if endDate != nil, startDate == nil { problems.append(("start_date", "required when end_date is set")) }
        if durationDays < 0 { problems.append(("duration_days", "not negative")) }
        if !countryCode.isEmpty, countryCode.count != 3 || !countryCode.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            problems.append(("country_code", "an ISO 3166-1 alpha-3 code in upper case, e.g. AUT"))
        }
        if online, !venue.isEmpty { problems.append(("venue", "empty for an online event")) }
        return problems
    }

    /// Whether all-female speaker lists are allowed here by UNIDO's exception.
    public var isAboutWomensEmpowerment: Bool { themes.contains(where: \.isWomensEmpowerment) }
}

/// A panel or session of an event. Its participants are kept apart (they are personal data).
public struct Panel: Hashable, Sendable, Codable {
    public var eventID: String
    public var title: String
    public var format: PanelFormat
    public var date: PartialDate?
    public var example: Bool

    public init(
        eventID: String,
        title: String,
        format: PanelFormat = .panelDiscussion,
        date: PartialDate? = nil,
        example: Bool = false
    ) {
        self.eventID = eventID
        self.title = title
        self.format = format
        self.date = date
        self.example = example
    }

    public var problems: [(field: String, description: String)] {
        title.trimmingCharacters(in: .whitespaces).isEmpty ? [("title", "required")] : []
    }
}

/// A person on a panel. `displayName` and `organisation` are personal data: never logged, never in the change
/// log, blank once erased.
public struct Participant: Hashable, Sendable {
    public var displayName: String
    public var role: ParticipantRole
    public var gender: Gender
    public var organisation: String

    public init(displayName: String, role: ParticipantRole, gender: Gender, organisation: String = "") {
        self.displayName = displayName
        self.role = role
        self.gender = gender
        self.organisation = organisation
    }
}
