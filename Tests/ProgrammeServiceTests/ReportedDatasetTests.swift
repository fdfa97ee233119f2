import Foundation
import IsidTestSupport
import ProgrammeServiceKit
import Testing

let shippedReportFile = repositoryRoot.appendingPathComponent("Data/reports/unido-2030-agenda-2020.json")

/// A dataset in the shipped file's layout, with one programme and one figure changed by `edit`.
func reportedDatasetJSON(
    country: String = "ETH",
    figureCurrency: String = "EUR",
    figureProgramme: String = "pcp-eth"
)
    -> Data
{
    Data(
        """
        {"dataset": "test-report", "citation": "A report, para. 1",
         "reporting_organisation": {"name": "UNIDO", "iati_ref": "XM-DAC-41123"},
         "programmes": [{"key": "pcp-eth", "kind": "pcp", "status": "ongoing", "country": "\(country)",
                         "title": "Programme for Country Partnership: Ethiopia"}],
         "figures": [{"id": "eu", "subject": "Secured", "currency": "\(figureCurrency)", "amount": "69.8",
                      "qualifier": "about", "period": "2020", "programme": "\(figureProgramme)"}]}
        """.utf8
    )
}

@Suite("Reported datasets")
struct ReportedDatasetTests {
    @Test("the shipped report gives the 10 PCPs and its figures, all marked as reported and citing the report")
    func shippedReport() throws {
        let dataset = try ReportedDataset(json: Data(contentsOf: shippedReportFile), countries: shippedCountries)
        #expect(
            Set(dataset.programmes.flatMap { $0.countries.map(\.code) })
                == ["KHM", "CIV", "EGY", "ETH", "KGZ", "MAR", "PER", "RWA", "SEN", "ZMB"]
        )
        #expect(dataset.programmes.allSatisfy { $0.kind == .pcp && $0.provenance.kind == .reportedFigures })
        #expect(dataset.programmes.allSatisfy { $0.provenance.citation.contains("forty-eighth session") })
        let figures = Dictionary(uniqueKeysWithValues: dataset.figures.map { ($0.id, $0) })
        #expect(figures["portfolio-to-be-implemented"]?.value == .amount(Money(58_660_000_000, Currency(code: "USD")!)))
        #expect(figures["eu-pipeline"]?.value == .amount(Money(6_980_000_000, Currency(code: "EUR")!)))
        #expect(figures["eu-pipeline"]?.qualifier == .about)
        #expect(figures["country-programmes"]?.value == .count(45))
        #expect(figures["country-programmes"]?.qualifier == .upTo)
        #expect(figures["agreements-2019"]?.qualifier == .moreThan)
    }

    @Test("an amount is read exactly in the currency's minor units")
    func exactAmount() throws {
        let dataset = try ReportedDataset(json: reportedDatasetJSON(), countries: shippedCountries)
        #expect(dataset.figures.first?.value == .amount(Money(6_980, Currency(code: "EUR")!)))
    }

    @Test(
        "a dataset with an unknown country, currency or programme key is refused whole",
        arguments: [
            reportedDatasetJSON(country: "XXX"), reportedDatasetJSON(figureCurrency: "EURO"),
            reportedDatasetJSON(figureProgramme: "pcp-xxx"),
        ]
    )
    func refused(json: Data) {
        #expect(throws: ReportedDatasetError.self) { try ReportedDataset(json: json, countries: shippedCountries) }
    }

    @Test(
        "a dataset is seeded once: a second seed stores nothing, and figures point at the programmes' ids",
        arguments: TestDatabaseKind.allCases
    )
    func seededOnce(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            let dataset = try ReportedDataset(json: reportedDatasetJSON(), countries: shippedCountries)
            #expect(try await store.seed(dataset, actor: ""))
            #expect(try await !store.seed(dataset, actor: ""))
            let programmes = try await store.programmes(matching: ProgrammeFilter(), afterID: nil, limit: 100)
            #expect(programmes.count == 1)
            let id = try #require(programmes.first?.programme.id)
            #expect(id.hasPrefix("prg-"))
            #expect(try await store.reportedFigures(programmeID: id).map(\.id) == ["eu"])
            #expect(try await store.reportedFigures(programmeID: nil).first?.programmeID == id)
        }
    }

    @Test("a dataset is seeded into a database that already holds programmes", arguments: TestDatabaseKind.allCases)
    func seededBesideOthers(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            _ = try await store.create(sampleProgramme(), requestID: nil, actor: "")
            let dataset = try ReportedDataset(json: reportedDatasetJSON(), countries: shippedCountries)
            #expect(try await store.seed(dataset, actor: ""))
            #expect(try await store.programmes(matching: ProgrammeFilter(), afterID: nil, limit: 100).count == 2)
        }
    }
}
