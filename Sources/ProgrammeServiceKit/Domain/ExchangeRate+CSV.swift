import Foundation
public import IsidStorage

extension ExchangeRate {
    /// Rates from a CSV file with the columns `from_currency,to_currency,rate,date,source` (a header row first;
    /// `rate` an exact decimal, `date` YYYY-MM-DD). All or nothing: the first bad row is an error naming its
    /// line.
    public static func read(csvFile path: String) throws(ImportError) -> [ExchangeRate] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .missingFile(path) }
        let table = try CSVTable(file: path, text: String(decoding: data, as: UTF8.self))
        let column = try table.columns(["from_currency", "to_currency", "rate", "date", "source"])
        var rates: [ExchangeRate] = []
        for record in table.records {
            func field(_ name: String) -> String { record.fields[column[name]!] }
            guard let from = Currency(code: field("from_currency")) else {
                throw .malformed(
                    file: path,
                    line: record.line,
                    reason: "\"\(field("from_currency"))\" is not a currency"
                )
            }
            guard let to = Currency(code: field("to_currency")), to != from else {
                throw .malformed(
                    file: path,
                    line: record.line,
                    reason: "\"\(field("to_currency"))\" is not another currency"
                )
            }
            guard let date = CalendarDate(iso: field("date")), field("date").count == 10 else {
                throw .malformed(file: path, line: record.line, reason: "\"\(field("date"))\" is not a YYYY-MM-DD date")
            }
            do {
                rates.append(
                    try ExchangeRate(from: from, to: to, rate: field("rate"), date: date, source: field("source"))
                )
            } catch {
                throw .malformed(file: path, line: record.line, reason: error.description)
            }
        }
        return rates
    }
}
