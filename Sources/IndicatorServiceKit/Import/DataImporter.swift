import Foundation
import IsidStorage

/// One statistical extract as a store imports it: the catalogue (aggregates carry their member codes) and
/// the observations, already checked line by line.
public struct IndicatorExtract: Sendable {
    public var series: [SeriesInfo]
    public var areas: [AreaInfo]
    public var observations: [ObservationRecord]

    public init(series: [SeriesInfo], areas: [AreaInfo], observations: [ObservationRecord]) {
        self.series = series
        self.areas = areas
        self.observations = observations
    }
}

/// Imports the shipped SDG 9 data (Data/sdg9: series.csv, economies.csv, sdg9_observations.csv,
/// sdg9_other_areas.csv) into a store in one transaction. Idempotent: a second import of the same files changes
/// nothing (no new revisions). A malformed file stops the import before anything is written, naming file and line.
///
/// Statistical releases withdraw values. With `withdrawsMissing`, the files are the whole truth: a stored
/// observation they no longer hold (whether imported or written through the API) is removed and logged as a
/// withdrawal. Off by default, because a partial file is a normal thing to import.
public struct DataImporter: Sendable {
    public struct Summary: Sendable, Hashable, CustomStringConvertible {
        public var series = 0
        public var areas = 0
        /// Inserted, updated and unchanged rows of the files; its revision is the database's after the import.
        public var observations = UpsertOutcome()
        /// Stored observations removed because the files no longer hold them.
        public var withdrawn = 0

        public var description: String {
            "\(series) series, \(areas) areas, observations: \(observations.inserted) inserted, "
                + "\(observations.updated) updated, \(observations.unchanged) unchanged, \(withdrawn) withdrawn "
                + "(revision \(observations.revision))"
        }
    }

    public let dataDirectory: String
    /// Whether stored observations missing from the files are withdrawn.
    public let withdrawsMissing: Bool

    public init(dataDirectory: String, withdrawsMissing: Bool = false) {
        self.dataDirectory = dataDirectory
        self.withdrawsMissing = withdrawsMissing
    }

    /// Reads the files (stopping at the first malformed line) and writes them into `store` in one
    /// transaction.
    public func run(into store: some IndicatorStore, currentYear: Int) async throws -> Summary {
        try await store.importExtract(try readExtract(), withdrawingMissing: withdrawsMissing, currentYear: currentYear)
    }

    /// The files as one extract, checked line by line.
    public func readExtract() throws -> IndicatorExtract {
        let series = try parseSeries(try table("series.csv"))
        let (economies, aggregates) = try parseAreas(
            economies: try table("economies.csv"),
            otherAreas: try table("sdg9_other_areas.csv")
        )
        let units = Dictionary(uniqueKeysWithValues: series.map { ($0.code, $0.unit) })
        let observations =
            try parseObservations(try table("sdg9_observations.csv"), areaColumn: "economy_iso3", units: units)
            + parseObservations(try table("sdg9_other_areas.csv"), areaColumn: "geo_m49", units: units)
        return IndicatorExtract(series: series, areas: economies + aggregates, observations: observations)
    }

    private func table(_ name: String) throws -> CSVTable {
        let path = dataDirectory + "/" + name
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else { throw ImportError.missingFile(path) }
        return try CSVTable(file: path, text: text)
    }

    private func parseSeries(_ table: CSVTable) throws -> [SeriesInfo] {
        let c = try table.columns([
            "series_code", "sdg_indicator", "description", "unit", "unit_description", "better", "direction_note",
            "custodian",
        ])
        return try table.records.map { record in
            let f = record.fields
            let betterText = f[c["better"]!]
            guard betterText.isEmpty || BetterDirection(rawValue: betterText) != nil else {
                throw ImportError.malformed(
                    file: table.file,
                    line: record.line,
                    reason: "better must be higher, lower or empty"
                )
            }
            return SeriesInfo(
                code: f[c["series_code"]!],
                sdgIndicator: f[c["sdg_indicator"]!],
                description: f[c["description"]!],
                unit: f[c["unit"]!],
                unitDescription: f[c["unit_description"]!],
                better: BetterDirection(rawValue: betterText),
                directionNote: f[c["direction_note"]!],
                custodian: f[c["custodian"]!]
            )
        }
    }

    private func parseAreas(economies: CSVTable, otherAreas: CSVTable) throws -> ([AreaInfo], [AreaInfo]) {
        let c = try economies.columns([
            "iso3", "iso2", "m49", "name", "un_sdg_name", "region", "region_m49", "sub_region", "sub_region_m49",
            "intermediate_region", "intermediate_region_m49", "wb_region", "wb_income_group", "ldc",
        ])
        let economyAreas = try economies.records.map { record in
            let f = record.fields
            guard f[c["iso3"]!].count == 3 else {
                throw ImportError.malformed(file: economies.file, line: record.line, reason: "iso3 must be 3 letters")
            }
            var area = AreaInfo(
                code: f[c["iso3"]!],
                kind: .economy,
                name: f[c["name"]!],
                unSDGName: f[c["un_sdg_name"]!],
                m49: AreaInfo.paddedM49(f[c["m49"]!])
            )
            area.isoAlpha3 = f[c["iso3"]!]
            area.isoAlpha2 = f[c["iso2"]!]
            area.region = f[c["region"]!]
            area.regionM49 = f[c["region_m49"]!]
            area.subRegion = f[c["sub_region"]!]
            area.subRegionM49 = f[c["sub_region_m49"]!]
            area.intermediateRegion = f[c["intermediate_region"]!]
            area.intermediateRegionM49 = f[c["intermediate_region_m49"]!]
            area.wbRegion = f[c["wb_region"]!]
            area.incomeGroup = f[c["wb_income_group"]!]
            area.ldc = f[c["ldc"]!] == "true"
            return area
        }
        let o = try otherAreas.columns(["geo_m49", "geo_name"])
        var seen: Set<String> = []
        var aggregates: [AreaInfo] = []
        for record in otherAreas.records {
            let code = AreaInfo.paddedM49(record.fields[o["geo_m49"]!])
            guard code.count == 3, code.allSatisfy(\.isNumber) else {
                throw ImportError.malformed(file: otherAreas.file, line: record.line, reason: "geo_m49 must be numeric")
            }
            guard seen.insert(code).inserted else { continue }
            let name = record.fields[o["geo_name"]!]
            var area = AreaInfo(code: code, kind: .aggregate, name: name, unSDGName: name, m49: code)
            area.memberCodes = Self.members(of: code, among: economyAreas)
            aggregates.append(area)
        }
        return (economyAreas, aggregates)
    }

    /// Members we can derive from the shipped tables: World, M49 regions at every level, LDCs.
    static func members(of code: String, among economies: [AreaInfo]) -> [String] {
        switch code {
        case "001": return economies.map(\.code)
        case "199": return economies.filter(\.ldc).map(\.code)
        default:
            return economies.filter {
                $0.regionM49 == code || $0.subRegionM49 == code || $0.intermediateRegionM49 == code
            }.map(\.code)
        }
    }

    /// Rows checked here, so that a bad one is reported with its file and line rather than its position in the
    /// batch: numbers, a known series with its unit, a nature code.
    private func parseObservations(
        _ table: CSVTable,
        areaColumn: String,
        units: [String: String]
    ) throws
        -> [ObservationRecord]
    {
        let c = try table.columns(["series_code", areaColumn, "year", "value", "unit", "nature", "source"])
        return try table.records.map { record in
            let f = record.fields
            guard let year = Int(f[c["year"]!]) else {
                throw ImportError.malformed(file: table.file, line: record.line, reason: "year is not an integer")
            }
            guard let value = Double(f[c["value"]!]), value.isFinite else {
                throw ImportError.malformed(
                    file: table.file,
                    line: record.line,
                    reason: "value \"\(f[c["value"]!])\" is not a finite number"
                )
            }
            let series = f[c["series_code"]!]
            guard let unit = units[series] else {
                throw ImportError.malformed(
                    file: table.file,
                    line: record.line,
                    reason: "series \"\(series)\" is not in series.csv"
                )
            }
            guard f[c["unit"]!] == unit else {
                throw ImportError.malformed(
                    file: table.file,
                    line: record.line,
                    reason: "unit \"\(f[c["unit"]!])\" is not the series' \(unit)"
                )
            }
            guard ObservationRules.natureCodes.contains(f[c["nature"]!]) else {
                throw ImportError.malformed(
                    file: table.file,
                    line: record.line,
                    reason: "nature \"\(f[c["nature"]!])\" is not C, CA, E, G, M or N"
                )
            }
            let rawArea = f[c[areaColumn]!]
            let area = areaColumn == "geo_m49" ? AreaInfo.paddedM49(rawArea) : rawArea
            return ObservationRecord(
                seriesCode: f[c["series_code"]!],
                areaCode: area,
                year: year,
                value: value,
                unit: f[c["unit"]!],
                nature: f[c["nature"]!],
                source: f[c["source"]!]
            )
        }
    }
}
