import IsidStorage

/// The observation files of an extract, read a batch at a time. Each row is checked here, so that a bad one
/// is reported with its file and line rather than its position in a batch: numbers, a known series with its
/// unit, a nature code, and no second row for the same series, area and year.
final class CSVObservationReader: ObservationBatchReader {
    /// Each file with the column naming its areas (economies by ISO alpha-3, aggregates by M49).
    private var files: [(path: String, areaColumn: String)]
    private let units: [String: String]
    private var keys: ObservationKeySet
    private let batchSize: Int
    private var current: (reader: CSVReader, columns: [String: Int], areaColumn: String)?

    init(
        files: [(path: String, areaColumn: String)],
        units: [String: String],
        keys: ObservationKeySet,
        batchSize: Int = 5_000
    ) {
        self.files = files
        self.units = units
        self.keys = keys
        self.batchSize = batchSize
    }

    func hasRead(_ key: ObservationKey) -> Bool { keys.contains(key) }

    func next() throws -> [ObservationRecord]? {
        var batch: [ObservationRecord] = []
        batch.reserveCapacity(batchSize)
        while batch.count < batchSize {
            if current == nil {
                guard !files.isEmpty else { break }
                let (path, areaColumn) = files.removeFirst()
                let reader = try CSVReader(path: path)
                let columns = try reader.columns([
                    "series_code", areaColumn, "year", "value", "unit", "nature", "source",
                ])
                current = (reader, columns, areaColumn)
            }
            guard let (reader, columns, areaColumn) = current else { break }
            guard let record = try reader.next() else {
                current = nil
                continue
            }
            batch.append(try observation(record, columns: columns, areaColumn: areaColumn, file: reader.file))
        }
        return batch.isEmpty ? nil : batch
    }

    private func observation(
        _ record: CSVTable.Record,
        columns c: [String: Int],
        areaColumn: String,
        file: String
    ) throws(ImportError) -> ObservationRecord {
        let f = record.fields
        func malformed(_ reason: String) -> ImportError { .malformed(file: file, line: record.line, reason: reason) }
        guard let year = Int(f[c["year"]!]) else { throw malformed("year is not an integer") }
        guard let value = Double(f[c["value"]!]), value.isFinite else {
            throw malformed("value \"\(f[c["value"]!])\" is not a finite number")
        }
        let series = f[c["series_code"]!]
        guard let unit = units[series] else { throw malformed("series \"\(series)\" is not in series.csv") }
        guard f[c["unit"]!] == unit else { throw malformed("unit \"\(f[c["unit"]!])\" is not the series' \(unit)") }
        guard ObservationRules.natureCodes.contains(f[c["nature"]!]) else {
            throw malformed("nature \"\(f[c["nature"]!])\" is not C, CA, E, G, M or N")
        }
        let rawArea = f[c[areaColumn]!]
        let area = areaColumn == "geo_m49" ? AreaInfo.paddedM49(rawArea) : rawArea
        let row = ObservationRecord(
            seriesCode: series,
            areaCode: area,
            year: year,
            value: value,
            unit: unit,
            nature: f[c["nature"]!],
            source: f[c["source"]!]
        )
        guard keys.insert(row.key) else { throw malformed("a second row for \(series)/\(area)/\(year)") }
        return row
    }
}
