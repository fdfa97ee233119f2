import Foundation
import IsidStorage

/// One statistical extract as a store imports it: the catalogue (aggregates carry their member codes), and
/// the observations, read and checked line by line a batch at a time while the store writes them.
public struct IndicatorExtract: Sendable {
    public var series: [SeriesInfo]
    public var areas: [AreaInfo]
    public var observations: ObservationBatches

    public init(series: [SeriesInfo], areas: [AreaInfo], observations: ObservationBatches) {
        self.series = series
        self.areas = areas
        self.observations = observations
    }
}

/// Imports the shipped SDG 9 data (Data/sdg9: series.csv, economies.csv, sdg9_observations.csv,
/// sdg9_other_areas.csv) into a store in one transaction. Idempotent: a second import of the same files changes
/// nothing (no new revisions). A malformed line rolls the whole import back, naming file and line. The
/// observation files are streamed a batch at a time, so memory does not grow with their size.
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

    /// The files as one extract: the catalogue read and checked now, the observations when the store reads
    /// them.
    public func readExtract() throws -> IndicatorExtract {
        let series = try parseSeries(try table("series.csv"))
        let economies = try parseEconomies(try table("economies.csv"))
        let aggregates = try parseAggregates(try CSVReader(path: path("sdg9_other_areas.csv")), economies: economies)
        let units = Dictionary(uniqueKeysWithValues: series.map { ($0.code, $0.unit) })
        let areas = economies + aggregates
        let files = [(path("sdg9_observations.csv"), "economy_iso3"), (path("sdg9_other_areas.csv"), "geo_m49")]
        let seriesCodes = series.map(\.code)
        let areaCodes = areas.map(\.code)
        return IndicatorExtract(
            series: series,
            areas: areas,
            observations: ObservationBatches {
                CSVObservationReader(
                    files: files,
                    units: units,
                    keys: ObservationKeySet(
                        seriesCodes: seriesCodes,
                        areaCodes: areaCodes,
                        years: ObservationRules.firstYear...(ObservationRules.firstYear + 199)
                    )
                )
            }
        )
    }

    private func path(_ name: String) -> String { dataDirectory + "/" + name }

    private func table(_ name: String) throws -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path(name)) else {
            throw ImportError.missingFile(path(name))
        }
        return try CSVTable(file: path(name), text: String(decoding: data, as: UTF8.self))
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

    private func parseEconomies(_ economies: CSVTable) throws -> [AreaInfo] {
        let c = try economies.columns([
            "iso3", "iso2", "m49", "name", "un_sdg_name", "region", "region_m49", "sub_region", "sub_region_m49",
            "intermediate_region", "intermediate_region_m49", "wb_region", "wb_income_group", "ldc",
        ])
        return try economies.records.map { record in
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
    }

    /// The aggregates the other-areas file has rows for, each once, with the members derivable from the
    /// economies.
    private func parseAggregates(_ otherAreas: CSVReader, economies: [AreaInfo]) throws -> [AreaInfo] {
        let o = try otherAreas.columns(["geo_m49", "geo_name"])
        var seen: Set<String> = []
        var aggregates: [AreaInfo] = []
        while let record = try otherAreas.next() {
            let code = AreaInfo.paddedM49(record.fields[o["geo_m49"]!])
            guard code.count == 3, code.allSatisfy(\.isNumber) else {
                throw ImportError.malformed(file: otherAreas.file, line: record.line, reason: "geo_m49 must be numeric")
            }
            guard seen.insert(code).inserted else { continue }
            let name = record.fields[o["geo_name"]!]
            var area = AreaInfo(code: code, kind: .aggregate, name: name, unSDGName: name, m49: code)
            area.memberCodes = Self.members(of: code, among: economies)
            aggregates.append(area)
        }
        return aggregates
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
}
