/// A programme, country programme or project, as ProgrammeService keeps it. Plain values: no protobuf, no
/// SQL. Amounts are ``Money``; countries are ISO 3166-1 alpha-3 codes (IndicatorService's area codes).
public struct Programme: Hashable, Sendable, Codable {
    public var id: String
    /// The IATI activity identifier, when the programme is in IATI.
    public var iatiIdentifier: String?
    public var kind: ProgrammeKind
    public var status: ProgrammeStatus
    public var title: String
    public var description: String
    public var titleNarratives: [Narrative] = []
    public var descriptions: [DescriptionText] = []
    public var defaultLanguage: String?
    public var defaultCurrency: Currency?
    /// A programme here this one belongs to.
    public var parentID: String?
    /// The parent's IATI identifier, when the parent is not a programme here.
    public var parentIATIIdentifier: String?
    public var countries: [CountryShare] = []
    public var regions: [RegionShare] = []
    public var sectors: [SectorShare] = []
    public var tags: [Tag] = []
    public var dates = ProgrammeDates()
    public var sdgGoals: [Int] = []
    public var sdgTargets: [String] = []
    public var funding: [FundingLine] = []
    public var transactions: [Transaction] = []
    public var budgets: [Budget] = []
    public var plannedDisbursements: [PlannedDisbursement] = []
    public var resourcesMobilised: [ResourceMobilisation] = []
    public var agreements: [Agreement] = []
    public var milestones: [Milestone] = []
    public var targetSeries: [TargetSeries] = []
    public var participatingOrganisations: [ParticipatingOrganisation] = []
    public var reportingOrganisation: ParticipatingOrganisation?
    public var provenance: Provenance

    public init(
        id: String,
        kind: ProgrammeKind,
        status: ProgrammeStatus,
        title: String,
        description: String = "",
        provenance: Provenance
    ) {
        self.id = id
        self.kind = kind
        self.status = status
        self.title = title
        self.description = description
        self.provenance = provenance
    }
}

/// What a programme is.
public enum ProgrammeKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// A Programme for Country Partnership.
    case pcp
    case countryProgramme
    case regional
    case global
    case project
}

/// Text in one language; `language` nil means the activity's default language.
public struct Narrative: Hashable, Sendable, Codable {
    public var language: String?
    public var text: String

    public init(language: String?, text: String) {
        self.language = language
        self.text = text
    }
}

/// A description of one IATI type (1 general, 2 objectives, 3 target groups, 4 other), in its languages.
public struct DescriptionText: Hashable, Sendable, Codable {
    public var type: Int
    public var narratives: [Narrative]

    public init(type: Int, narratives: [Narrative]) {
        self.type = type
        self.narratives = narratives
    }
}

/// A country and the share of the programme that goes to it (a decimal percentage, kept as written).
public struct CountryShare: Hashable, Sendable, Codable {
    /// ISO 3166-1 alpha-3.
    public var code: String
    public var percentage: DecimalText?

    public init(code: String, percentage: DecimalText? = nil) {
        self.code = code
        self.percentage = percentage
    }
}

/// A region in an IATI vocabulary ("1" OECD DAC, "2" UN M49, "99" the reporter's) and its share.
public struct RegionShare: Hashable, Sendable, Codable {
    public var code: String
    public var vocabulary: String
    public var percentage: DecimalText?

    public init(code: String, vocabulary: String, percentage: DecimalText? = nil) {
        self.code = code
        self.vocabulary = vocabulary
        self.percentage = percentage
    }
}

/// A sector in an IATI vocabulary ("1" DAC 5-digit, "7" SDG goal, "8" SDG target, "9" SDG indicator, ...).
public struct SectorShare: Hashable, Sendable, Codable {
    public var code: String
    public var vocabulary: String
    public var percentage: DecimalText?

    public init(code: String, vocabulary: String, percentage: DecimalText? = nil) {
        self.code = code
        self.vocabulary = vocabulary
        self.percentage = percentage
    }
}

/// An IATI tag ("2" UN SDG goals, "3" UN SDG targets, ...).
public struct Tag: Hashable, Sendable, Codable {
    public var code: String
    public var vocabulary: String

    public init(code: String, vocabulary: String) {
        self.code = code
        self.vocabulary = vocabulary
    }
}

/// A programme's dates; any may be unknown.
public struct ProgrammeDates: Hashable, Sendable, Codable {
    public var plannedStart: CalendarDate?
    public var actualStart: CalendarDate?
    public var plannedEnd: CalendarDate?
    public var actualEnd: CalendarDate?

    public init(
        plannedStart: CalendarDate? = nil,
        actualStart: CalendarDate? = nil,
        plannedEnd: CalendarDate? = nil,
        actualEnd: CalendarDate? = nil
    ) {
        self.plannedStart = plannedStart
        self.actualStart = actualStart
        self.plannedEnd = plannedEnd
        self.actualEnd = actualEnd
    }

    /// The earlier of the planned and actual start.
    public var start: CalendarDate? {
        [plannedStart, actualStart].compactMap { $0 }.min()
    }
}

/// Where a record came from.
public struct Provenance: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable {
        case entered
        case iati
        case reportedFigures
    }

    public var kind: Kind
    public var citation: String

    public init(kind: Kind, citation: String) {
        self.kind = kind
        self.citation = citation
    }
}
