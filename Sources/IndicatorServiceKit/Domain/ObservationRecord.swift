public import IsidStorage

/// One stored value of a series for an area and year.
public struct ObservationRecord: Sendable, Hashable {
    public var seriesCode: String
    public var areaCode: String
    public var year: Int
    public var value: Double
    public var unit: String
    public var nature: String
    public var source: String
    public var footnote: String
    /// The change-log revision that last wrote it.
    public var revision: Int64

    public init(
        seriesCode: String,
        areaCode: String,
        year: Int,
        value: Double,
        unit: String,
        nature: String,
        source: String,
        footnote: String = "",
        revision: Int64 = 0
    ) {
        self.seriesCode = seriesCode
        self.areaCode = areaCode
        self.year = year
        self.value = value
        self.unit = unit
        self.nature = nature
        self.source = source
        self.footnote = footnote
        self.revision = revision
    }

    /// The key upserts are idempotent on.
    public var key: ObservationKey { ObservationKey(seriesCode: seriesCode, areaCode: areaCode, year: year) }

    /// Same stored content (everything but the revision).
    public func hasSameContent(as other: ObservationRecord) -> Bool {
        key == other.key && value == other.value && unit == other.unit && nature == other.nature
            && source == other.source && footnote == other.footnote
    }
}

public struct ObservationKey: Sendable, Hashable {
    public var seriesCode: String
    public var areaCode: String
    public var year: Int

    public init(seriesCode: String, areaCode: String, year: Int) {
        self.seriesCode = seriesCode
        self.areaCode = areaCode
        self.year = year
    }
}

/// One entry of IndicatorService's change log: an observation written or withdrawn. The log gives it its
/// revision (`LoggedChange`).
public struct ObservationChange: ChangeRecord, Hashable {
    public var operation: ChangeOperation
    /// The observation as this change wrote it; for a withdrawal, as it last stood before. Read back from
    /// the log, its revision is the change's.
    public var observation: ObservationRecord
    /// For updates: the value it replaced; for withdrawals: the value it had.
    public var previousValue: Double?

    public init(operation: ChangeOperation, observation: ObservationRecord, previousValue: Double?) {
        self.operation = operation
        self.observation = observation
        self.previousValue = previousValue
    }

    /// Watch filters select series.
    public var scope: String { observation.seriesCode }
}

/// What a batch upsert did.
public struct UpsertOutcome: Sendable, Hashable {
    public var inserted = 0
    public var updated = 0
    public var unchanged = 0
    /// The database revision after the batch.
    public var revision: Int64 = 0

    public init() {}

    /// Adds the counts of a later batch, whose revision is the newer.
    mutating func add(_ later: UpsertOutcome) {
        inserted += later.inserted
        updated += later.updated
        unchanged += later.unchanged
        revision = max(revision, later.revision)
    }
}
