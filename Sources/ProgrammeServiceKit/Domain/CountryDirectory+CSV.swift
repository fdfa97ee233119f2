import Foundation
public import IsidStorage

extension CountryDirectory {
    /// The countries of IndicatorService's shipped economies file (`Data/sdg9/economies.csv`: iso3, iso2, m49,
    /// name, ...), so both services name countries alike.
    public init(economiesFile path: String) throws(ImportError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path) }
        let table = try CSVTable(file: path, text: String(decoding: data, as: UTF8.self))
        let column = try table.columns(["iso3", "iso2", "m49", "name"])
        self.init(
            table.records.map { record in
                Entry(
                    alpha3: record.fields[column["iso3"]!],
                    alpha2: record.fields[column["iso2"]!],
                    m49: record.fields[column["m49"]!],
                    name: record.fields[column["name"]!]
                )
            }
        )
    }
}
