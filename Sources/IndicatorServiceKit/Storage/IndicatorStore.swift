public import IsidStorage

/// Where IndicatorService keeps its data. `SQLiteIndicatorStore` is the implementation; a PostgreSQL one can
/// implement the same protocol on IsidStorage's PostgreSQL change log. Both decide upserts with
/// ``ObservationUpsert``.
/// As a `ChangeSource` it serves its change log (`changes(after:matching:limit:)`, `currentRevision()`, the
/// notifier) to `ChangeWatcher`.
public protocol IndicatorStore: ChangeSource, MigratedStore, DataVersioned where Record == ObservationChange {
    /// Whether the catalogue is empty (a new database that needs seeding).
    func isEmpty() async throws -> Bool

    func allSeries() async throws -> [SeriesInfo]
    /// One series; its coverage (observation count, first and last year) only when asked, since it
    /// costs a scan of the series' observations and most callers only need to know the series exists.
    func series(code: String, includingCoverage: Bool) async throws -> SeriesInfo?
    func areas(matching filter: AreaFilter) async throws -> [AreaInfo]
    func area(code: String) async throws -> AreaInfo?
    /// Which of `codes` name no area.
    func unknownAreaCodes(_ codes: [String]) async throws -> [String]

    /// One page of observations matching `query`, read in one snapshot.
    func observations(_ query: ObservationQuery) async throws -> ObservationPage
    /// The observation with the highest year per area of a series (optionally only some areas), and the
    /// revision the read saw; `nil` values when the series did not change after `unchangedSince`.
    func latestValues(seriesCode: String, areaCodes: [String], unchangedSince: Int64?) async throws -> LatestValues
    /// All observations of one series in one area.
    func observations(seriesCode: String, areaCode: String) async throws -> [ObservationRecord]
    /// Economies' values of `seriesCodes` in `years` (aggregates excluded).
    func economyValues(seriesCodes: [String], years: ClosedRange<Int>) async throws -> [ObservationRecord]

    /// Writes `rows` in one transaction, all or nothing; identical rows change nothing.
    func upsert(_ rows: [ObservationRecord], currentYear: Int) async throws -> UpsertOutcome

    /// Writes a whole extract in one transaction: the catalogue upserted, the observations as ``upsert``
    /// writes them, and with `withdrawingMissing` every stored observation the extract lacks withdrawn.
    func importExtract(
        _ extract: IndicatorExtract,
        withdrawingMissing: Bool,
        currentYear: Int
    ) async throws -> DataImporter.Summary
}

/// What an observation query asks for.
public struct ObservationQuery: Sendable, Hashable {
    public enum Order: String, Sendable, Hashable {
        case seriesAreaYear
        case seriesYearArea
    }

    public var seriesCodes: [String] = []
    public var areaCodes: [String] = []
    /// Member economies of this aggregate.
    public var groupCode: String?
    public var incomeGroup: String?
    public var fromYear: Int?
    public var toYear: Int?
    public var order: Order = .seriesAreaYear
    public var pageSize = 100
    /// Start after this key (from the previous page's last row).
    public var after: ObservationKey?

    public init() {}
}

public struct ObservationPage: Sendable, Hashable {
    public var observations: [ObservationRecord]
    /// Whether more rows follow the last one.
    public var hasMore: Bool
    public var revision: Int64
}

public struct LatestValues: Sendable, Hashable {
    /// nil when unchanged since the caller's revision.
    public var values: [ObservationRecord]?
    public var revision: Int64
}
