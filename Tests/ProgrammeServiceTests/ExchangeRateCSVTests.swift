import Foundation
import IsidStorage
import ProgrammeServiceKit
import Testing

@Suite("Exchange rates from CSV")
struct ExchangeRateCSVTests {
    func read(_ text: String) throws -> [ExchangeRate] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rates-\(UUID().uuidString).csv").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ExchangeRate.read(csvFile: path)
    }

    @Test("rows read as exact rates with their date and source")
    func reads() throws {
        let rates = try read(
            "from_currency,to_currency,rate,date,source\nEUR,USD,1.0875,2020-06-30,\"UN operational rates, June 2020\"\n"
        )
        #expect(rates.count == 1)
        #expect(rates[0].decimalString == "1.0875" && rates[0].date.description == "2020-06-30")
        #expect(rates[0].source == "UN operational rates, June 2020")
    }

    @Test(
        "a bad row is an error naming its line, and no rate is read",
        arguments: [
            "EUR,USD,1.1,2020-01-01,a\nEUR,XXX,1.1,2020-01-01,b", "EUR,USD,1.1,2020-01-01,a\nEUR,USD,-1,2020-01-01,b",
            "EUR,USD,1.1,2020-01-01,a\nEUR,USD,1.1,2020-02-30,b", "EUR,USD,1.1,2020-01-01,a\nEUR,USD,1.1,2020-01-01,",
        ]
    )
    func refuses(rows: String) {
        do {
            _ = try read("from_currency,to_currency,rate,date,source\n" + rows + "\n")
            Issue.record("expected an error")
        } catch let error as ImportError {
            #expect(error.description.contains(":3:"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
