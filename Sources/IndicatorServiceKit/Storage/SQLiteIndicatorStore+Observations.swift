import GRDB
import IsidStorage

extension SQLiteIndicatorStore {
    public func observations(_ query: ObservationQuery) async throws -> ObservationPage {
        try await pool.read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            func add(_ clause: String, _ values: [any DatabaseValueConvertible]) {
                clauses.append(clause)
                _ = arguments.append(contentsOf: StatementArguments(values))
            }
            if !query.seriesCodes.isEmpty {
                add("o.series_code IN (\(SQLiteFragment.placeholders(query.seriesCodes.count)))", query.seriesCodes)
            }
            if !query.areaCodes.isEmpty {
                add("o.area_code IN (\(SQLiteFragment.placeholders(query.areaCodes.count)))", query.areaCodes)
            }
            if let group = query.groupCode {
                add("o.area_code IN (SELECT member_code FROM area_members WHERE group_code = ?)", [group])
            }
            if let income = query.incomeGroup {
                add("o.area_code IN (SELECT code FROM areas WHERE income_group = ?)", [income])
            }
            if let from = query.fromYear { add("o.year >= ?", [from]) }
            if let to = query.toYear { add("o.year <= ?", [to]) }
            let orderColumns =
                query.order == .seriesAreaYear
                ? "o.series_code, o.area_code, o.year" : "o.series_code, o.year, o.area_code"
            if let after = query.after {
                // Keyset pagination: the row-value comparison follows the order, so pages never overlap.
                switch query.order {
                case .seriesAreaYear:
                    add("(\(orderColumns)) > (?, ?, ?)", [after.seriesCode, after.areaCode, after.year])
                case .seriesYearArea:
                    add("(\(orderColumns)) > (?, ?, ?)", [after.seriesCode, after.year, after.areaCode])
                }
            }
            let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [query.pageSize + 1])
            let rows = try Row.fetchAllCached(
                db,
                sql: """
                    SELECT \(Self.observationColumns) FROM observations o \(whereClause)
                    ORDER BY \(orderColumns) LIMIT ?
                    """,
                arguments: arguments
            )
            let records = rows.prefix(query.pageSize).map(Self.observation(inColumnOrder:))
            return ObservationPage(
                observations: Array(records),
                hasMore: rows.count > query.pageSize,
                revision: try Self.currentRevision(db)
            )
        }
    }

    public func latestValues(
        seriesCode: String,
        areaCodes: [String],
        unchangedSince: Int64?
    ) async throws
        -> LatestValues
    {
        try await pool.read { db in
            let revision = try Self.currentRevision(db)
            if let since = unchangedSince {
                let seriesRevision =
                    try Int64.fetchOneCached(
                        db,
                        sql: "SELECT last_revision FROM series WHERE code = ?",
                        arguments: [seriesCode]
                    ) ?? 0
                if seriesRevision <= since { return LatestValues(values: nil, revision: revision) }
            }
            // One pass over the series' slice of the primary key (series, area, year): for each area the
            // bare columns come from the row holding MAX(year) (SQLite's documented min/max behaviour).
            var arguments: StatementArguments = [seriesCode]
            var areaClause = ""
            if !areaCodes.isEmpty {
                areaClause = "AND area_code IN (\(SQLiteFragment.placeholders(areaCodes.count)))"
                _ = arguments.append(contentsOf: StatementArguments(areaCodes))
            }
            let rows = try Row.fetchAllCached(
                db,
                sql: """
                    SELECT series_code, area_code, MAX(year) AS year, value, unit, nature, source, footnote, revision
                    FROM observations WHERE series_code = ? \(areaClause)
                    GROUP BY area_code ORDER BY area_code
                    """,
                arguments: arguments
            )
            return LatestValues(values: rows.map(Self.observation(inColumnOrder:)), revision: revision)
        }
    }

    public func observations(seriesCode: String, areaCode: String) async throws -> [ObservationRecord] {
        try await pool.read { db in
            try Row.fetchAllCached(
                db,
                sql: """
                    SELECT \(Self.observationColumns) FROM observations o
                    WHERE o.series_code = ? AND o.area_code = ? ORDER BY o.year
                    """,
                arguments: [seriesCode, areaCode]
            ).map(Self.observation(inColumnOrder:))
        }
    }

    public func economyValues(seriesCodes: [String], years: ClosedRange<Int>) async throws -> [ObservationRecord] {
        try await pool.read { db in
            var arguments = StatementArguments(seriesCodes)
            _ = arguments.append(contentsOf: [years.lowerBound, years.upperBound])
            return try Row.fetchAllCached(
                db,
                sql: """
                    SELECT \(Self.observationColumns)
                    FROM observations o JOIN areas a ON a.code = o.area_code AND a.kind = 'economy'
                    WHERE o.series_code IN (\(SQLiteFragment.placeholders(seriesCodes.count))) AND o.year BETWEEN ? AND ?
                    ORDER BY o.series_code, o.area_code, o.year
                    """,
                arguments: arguments
            ).map(Self.observation(inColumnOrder:))
        }
    }

    /// The columns `observation(inColumnOrder:)` reads, in its order, from a table aliased `o`.
    static let observationColumns =
        "o.series_code, o.area_code, o.year, o.value, o.unit, o.nature, o.source, o.footnote, o.revision"

    /// An observation from a row holding ``observationColumns`` in order. Reading by position: looking a
    /// column up by name lower-cases the name for every value, which dominated a 1,000-row page's mapping.
    static func observation(inColumnOrder row: Row) -> ObservationRecord {
        ObservationRecord(
            seriesCode: row[0],
            areaCode: row[1],
            year: row[2],
            value: row[3],
            unit: row[4],
            nature: row[5],
            source: row[6],
            footnote: row[7],
            revision: row[8]
        )
    }

    /// An observation from a row with the observation columns under their names, in any order.
    static func observation(from row: Row) -> ObservationRecord {
        ObservationRecord(
            seriesCode: row["series_code"],
            areaCode: row["area_code"],
            year: row["year"],
            value: row["value"],
            unit: row["unit"],
            nature: row["nature"],
            source: row["source"],
            footnote: row["footnote"],
            revision: row["revision"]
        )
    }
}
