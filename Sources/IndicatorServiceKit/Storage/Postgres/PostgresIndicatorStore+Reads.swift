import IsidStorage
import PostgresNIO

extension PostgresIndicatorStore {
    public func allSeries() async throws -> [SeriesInfo] {
        try await fetchSeries(code: nil, includingCoverage: true)
    }

    public func series(code: String, includingCoverage: Bool) async throws -> SeriesInfo? {
        try await fetchSeries(code: code, includingCoverage: includingCoverage).first
    }

    public func areas(matching filter: AreaFilter) async throws -> [AreaInfo] {
        var statement = PostgresStatement()
        var clauses: [String] = []
        if let kind = filter.kind { clauses.append("kind = \(statement.bind(kind.rawValue))") }
        if let region = filter.regionM49 {
            let placeholder = statement.bind(region)
            clauses.append(
                "(region_m49 = \(placeholder) OR sub_region_m49 = \(placeholder) OR intermediate_region_m49 = \(placeholder))"
            )
        }
        if let income = filter.incomeGroup { clauses.append("income_group = \(statement.bind(income))") }
        if filter.ldcOnly { clauses.append("ldc") }
        return try await fetchAreas(
            statement,
            whereClause: clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        )
    }

    public func area(code: String) async throws -> AreaInfo? {
        var statement = PostgresStatement()
        return try await fetchAreas(statement, whereClause: "WHERE a.code = \(statement.bind(code))").first
    }

    public func unknownAreaCodes(_ codes: [String]) async throws -> [String] {
        var statement = PostgresStatement()
        let sql = """
            SELECT q.code FROM unnest(\(statement.bind(codes))::TEXT[]) WITH ORDINALITY AS q(code, position)
            WHERE NOT EXISTS (SELECT 1 FROM areas a WHERE a.code = q.code) ORDER BY q.position
            """
        var unknown: [String] = []
        for try await code in try await database.query(statement.query(sql), logger: logger).decode(String.self) {
            unknown.append(code)
        }
        return unknown
    }

    public func observations(_ query: ObservationQuery) async throws -> ObservationPage {
        var statement = PostgresStatement()
        var clauses: [String] = []
        if !query.seriesCodes.isEmpty { clauses.append("o.series_code = ANY(\(statement.bind(query.seriesCodes)))") }
        if !query.areaCodes.isEmpty { clauses.append("o.area_code = ANY(\(statement.bind(query.areaCodes)))") }
        if let group = query.groupCode {
            clauses.append(
                "o.area_code IN (SELECT member_code FROM area_members WHERE group_code = \(statement.bind(group)))"
            )
        }
        if let income = query.incomeGroup {
            clauses.append("o.area_code IN (SELECT code FROM areas WHERE income_group = \(statement.bind(income)))")
        }
        if let from = query.fromYear { clauses.append("o.year >= \(statement.bind(Int32(from)))") }
        if let to = query.toYear { clauses.append("o.year <= \(statement.bind(Int32(to)))") }
        let orderColumns =
            query.order == .seriesAreaYear ? "o.series_code, o.area_code, o.year" : "o.series_code, o.year, o.area_code"
        if let after = query.after {
            // Keyset pagination: the row-value comparison follows the order, so pages never overlap.
            let series = statement.bind(after.seriesCode)
            let area = statement.bind(after.areaCode)
            let year = statement.bind(Int32(after.year))
            let key = query.order == .seriesAreaYear ? "(\(series), \(area), \(year))" : "(\(series), \(year), \(area))"
            clauses.append("(\(orderColumns)) > \(key)")
        }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let limit = statement.bind(Int64(query.pageSize + 1))
        let page = statement.query(
            "SELECT \(Self.observationColumns) FROM observations o \(whereClause) ORDER BY \(orderColumns) LIMIT \(limit)"
        )
        let (rows, revision) = try await inSnapshot { connection in try await self.observations(page, on: connection) }
        return ObservationPage(
            observations: Array(rows.prefix(query.pageSize)),
            hasMore: rows.count > query.pageSize,
            revision: revision
        )
    }

    public func latestValues(
        seriesCode: String,
        areaCodes: [String],
        unchangedSince: Int64?
    ) async throws
        -> LatestValues
    {
        let (values, revision) = try await inSnapshot { connection -> [ObservationRecord]? in
            if let since = unchangedSince {
                var statement = PostgresStatement()
                let sql = "SELECT last_revision FROM series WHERE code = \(statement.bind(seriesCode))"
                var seriesRevision: Int64 = 0
                for try await revision in try await connection.query(statement.query(sql), logger: self.logger)
                    .decode(Int64.self)
                {
                    seriesRevision = revision
                }
                if seriesRevision <= since { return nil }
            }
            var statement = PostgresStatement()
            var areaClause = ""
            let series = statement.bind(seriesCode)
            if !areaCodes.isEmpty { areaClause = "AND o.area_code = ANY(\(statement.bind(areaCodes)))" }
            // For each area the row with the highest year: DISTINCT ON keeps the first row of each area in
            // this order.
            let sql = """
                SELECT DISTINCT ON (o.area_code) \(Self.observationColumns) FROM observations o
                WHERE o.series_code = \(series) \(areaClause) ORDER BY o.area_code, o.year DESC
                """
            return try await self.observations(statement.query(sql), on: connection)
        }
        return LatestValues(values: values, revision: revision)
    }

    public func observations(seriesCode: String, areaCode: String) async throws -> [ObservationRecord] {
        var statement = PostgresStatement()
        let sql = """
            SELECT \(Self.observationColumns) FROM observations o
            WHERE o.series_code = \(statement.bind(seriesCode)) AND o.area_code = \(statement.bind(areaCode))
            ORDER BY o.year
            """
        return try await database.withConnection { try await self.observations(statement.query(sql), on: $0) }
    }

    public func economyValues(seriesCodes: [String], years: ClosedRange<Int>) async throws -> [ObservationRecord] {
        var statement = PostgresStatement()
        let sql = """
            SELECT \(Self.observationColumns)
            FROM observations o JOIN areas a ON a.code = o.area_code AND a.kind = 'economy'
            WHERE o.series_code = ANY(\(statement.bind(seriesCodes)))
                AND o.year BETWEEN \(statement.bind(Int32(years.lowerBound))) AND \(statement.bind(Int32(years.upperBound)))
            ORDER BY o.series_code, o.area_code, o.year
            """
        return try await database.withConnection { try await self.observations(statement.query(sql), on: $0) }
    }

    // MARK: Helpers

    /// The columns ``observations(_:on:)`` reads, in its order, from a table aliased `o`.
    static let observationColumns =
        "o.series_code, o.area_code, o.year, o.value, o.unit, o.nature, o.source, o.footnote, o.revision"

    /// The observations `query` selects with ``observationColumns``, only those `keeping` accepts.
    func observations(
        _ query: PostgresQuery,
        on connection: PostgresConnection,
        keeping include: (ObservationRecord) -> Bool = { _ in true }
    ) async throws -> [ObservationRecord] {
        var records: [ObservationRecord] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (series, area, year, value, unit, nature, source, footnote, revision) in rows.decode(
            (String, String, Int32, Double, String, String, String, String, Int64).self
        ) {
            let record = ObservationRecord(
                seriesCode: series,
                areaCode: area,
                year: Int(year),
                value: value,
                unit: unit,
                nature: nature,
                source: source,
                footnote: footnote,
                revision: revision
            )
            if include(record) { records.append(record) }
        }
        return records
    }

    /// Runs `body` in a read-only transaction that sees one snapshot throughout, and returns its result with
    /// the change log's head in that snapshot.
    func inSnapshot<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> (Result, Int64) {
        try await database.withTransaction(logger: logger) { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
            let revision = try await Self.changeLog.currentRevision(on: connection, logger: self.logger)
            return (try await body(connection), revision)
        }
    }

    private func fetchSeries(code: String?, includingCoverage: Bool) async throws -> [SeriesInfo] {
        var statement = PostgresStatement()
        let coverage =
            includingCoverage
            ? """
            (SELECT COUNT(*) FROM observations o WHERE o.series_code = s.code)::BIGINT,
            COALESCE((SELECT MIN(year) FROM observations o WHERE o.series_code = s.code), 0),
            COALESCE((SELECT MAX(year) FROM observations o WHERE o.series_code = s.code), 0)
            """
            : "0::BIGINT, 0, 0"
        let filter = code.map { "WHERE s.code = \(statement.bind($0))" } ?? ""
        let sql = """
            SELECT s.code, s.sdg_indicator, s.description, s.unit, s.unit_description, s.better, s.direction_note,
                s.custodian, \(coverage)
            FROM series s \(filter) ORDER BY s.code
            """
        var result: [SeriesInfo] = []
        let rows = try await database.query(statement.query(sql), logger: logger)
        for try await row in rows {
            let columns = row.makeRandomAccess()
            var series = SeriesInfo(
                code: try columns[0].decode(String.self),
                sdgIndicator: try columns[1].decode(String.self),
                description: try columns[2].decode(String.self),
                unit: try columns[3].decode(String.self),
                unitDescription: try columns[4].decode(String.self),
                better: try columns[5].decode(String?.self).flatMap(BetterDirection.init(rawValue:)),
                directionNote: try columns[6].decode(String.self),
                custodian: try columns[7].decode(String.self)
            )
            series.observationCount = Int(try columns[8].decode(Int64.self))
            series.firstYear = Int(try columns[9].decode(Int32.self))
            series.lastYear = Int(try columns[10].decode(Int32.self))
            result.append(series)
        }
        return result
    }

    /// Areas, with each aggregate's members (one statement: the members as an array).
    private func fetchAreas(_ statement: PostgresStatement, whereClause: String) async throws -> [AreaInfo] {
        let sql = """
            SELECT a.code, a.kind, a.name, a.un_sdg_name, a.m49, a.iso_alpha3, a.iso_alpha2, a.region, a.region_m49,
                a.sub_region, a.sub_region_m49, a.intermediate_region, a.intermediate_region_m49, a.wb_region,
                a.income_group, a.ldc,
                ARRAY(SELECT m.member_code FROM area_members m WHERE m.group_code = a.code ORDER BY m.member_code)
            FROM areas a \(whereClause) ORDER BY a.code
            """
        var result: [AreaInfo] = []
        for try await row in try await database.query(statement.query(sql), logger: logger) {
            let c = row.makeRandomAccess()
            var area = AreaInfo(
                code: try c[0].decode(String.self),
                kind: AreaInfo.Kind(rawValue: try c[1].decode(String.self)) ?? .economy,
                name: try c[2].decode(String.self),
                unSDGName: try c[3].decode(String.self),
                m49: try c[4].decode(String.self)
            )
            area.isoAlpha3 = try c[5].decode(String.self)
            area.isoAlpha2 = try c[6].decode(String.self)
            area.region = try c[7].decode(String.self)
            area.regionM49 = try c[8].decode(String.self)
            area.subRegion = try c[9].decode(String.self)
            area.subRegionM49 = try c[10].decode(String.self)
            area.intermediateRegion = try c[11].decode(String.self)
            area.intermediateRegionM49 = try c[12].decode(String.self)
            area.wbRegion = try c[13].decode(String.self)
            area.incomeGroup = try c[14].decode(String.self)
            area.ldc = try c[15].decode(Bool.self)
            if area.kind == .aggregate { area.memberCodes = try c[16].decode([String].self) }
            result.append(area)
        }
        return result
    }
}
