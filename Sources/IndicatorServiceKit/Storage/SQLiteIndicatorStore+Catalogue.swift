import GRDB
import IsidStorage

extension SQLiteIndicatorStore {
    public func allSeries() async throws -> [SeriesInfo] {
        try await pool.read { db in try Self.fetchSeries(db, code: nil) }
    }

    public func series(code: String, includingCoverage: Bool) async throws -> SeriesInfo? {
        try await pool.read { db in try Self.fetchSeries(db, code: code, includingCoverage: includingCoverage).first }
    }

    public func areas(matching filter: AreaFilter) async throws -> [AreaInfo] {
        try await pool.read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let kind = filter.kind {
                clauses.append("kind = ?")
                _ = arguments.append(contentsOf: [kind.rawValue])
            }
            if let region = filter.regionM49 {
                clauses.append("(region_m49 = ? OR sub_region_m49 = ? OR intermediate_region_m49 = ?)")
                _ = arguments.append(contentsOf: [region, region, region])
            }
            if let income = filter.incomeGroup {
                clauses.append("income_group = ?")
                _ = arguments.append(contentsOf: [income])
            }
            if filter.ldcOnly { clauses.append("ldc = 1") }
            let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            return try Self.fetchAreas(db, whereClause: whereClause, arguments: arguments)
        }
    }

    public func area(code: String) async throws -> AreaInfo? {
        try await pool.read { db in try Self.fetchAreas(db, whereClause: "WHERE code = ?", arguments: [code]).first }
    }

    public func unknownAreaCodes(_ codes: [String]) async throws -> [String] {
        try await pool.read { db in
            try codes.filter { code in
                try Int.fetchOneCached(db, sql: "SELECT 1 FROM areas WHERE code = ?", arguments: [code]) == nil
            }
        }
    }

    static func fetchSeries(_ db: Database, code: String?, includingCoverage: Bool = true) throws -> [SeriesInfo] {
        let coverage =
            includingCoverage
            ? """
            (SELECT COUNT(*) FROM observations o WHERE o.series_code = s.code) AS observation_count,
            (SELECT MIN(year) FROM observations o WHERE o.series_code = s.code) AS first_year,
            (SELECT MAX(year) FROM observations o WHERE o.series_code = s.code) AS last_year
            """
            : "0 AS observation_count, 0 AS first_year, 0 AS last_year"
        let sql = """
            SELECT s.*, \(coverage)
            FROM series s \(code == nil ? "" : "WHERE s.code = ?") ORDER BY s.code
            """
        let arguments: StatementArguments = code.map { [$0] } ?? []
        return try Row.fetchAllCached(db, sql: sql, arguments: arguments).map { row in
            var series = SeriesInfo(
                code: row["code"],
                sdgIndicator: row["sdg_indicator"],
                description: row["description"],
                unit: row["unit"],
                unitDescription: row["unit_description"],
                better: (row["better"] as String?).flatMap(BetterDirection.init(rawValue:)),
                directionNote: row["direction_note"],
                custodian: row["custodian"]
            )
            series.observationCount = row["observation_count"]
            series.firstYear = row["first_year"] ?? 0
            series.lastYear = row["last_year"] ?? 0
            return series
        }
    }

    static func fetchAreas(_ db: Database, whereClause: String, arguments: StatementArguments) throws -> [AreaInfo] {
        let rows = try Row.fetchAllCached(
            db,
            sql: "SELECT * FROM areas \(whereClause) ORDER BY code",
            arguments: arguments
        )
        return try rows.map { row in
            var area = AreaInfo(
                code: row["code"],
                kind: AreaInfo.Kind(rawValue: row["kind"]) ?? .economy,
                name: row["name"],
                unSDGName: row["un_sdg_name"],
                m49: row["m49"]
            )
            area.isoAlpha3 = row["iso_alpha3"]
            area.isoAlpha2 = row["iso_alpha2"]
            area.region = row["region"]
            area.regionM49 = row["region_m49"]
            area.subRegion = row["sub_region"]
            area.subRegionM49 = row["sub_region_m49"]
            area.intermediateRegion = row["intermediate_region"]
            area.intermediateRegionM49 = row["intermediate_region_m49"]
            area.wbRegion = row["wb_region"]
            area.incomeGroup = row["income_group"]
            area.ldc = row["ldc"]
            if area.kind == .aggregate {
                area.memberCodes = try String.fetchAllCached(
                    db,
                    sql: "SELECT member_code FROM area_members WHERE group_code = ? ORDER BY member_code",
                    arguments: [area.code]
                )
            }
            return area
        }
    }
}
