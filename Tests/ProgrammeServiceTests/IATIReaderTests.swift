import Foundation
import ProgrammeServiceKit
import Testing

/// The repository root, found from this file's location (Tests/ProgrammeServiceTests/).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The shipped UNIDO activities and the standard's example (a test fixture only).
let unidoFile = repositoryRoot.appendingPathComponent("Data/iati/unido-XM-DAC-41123-activities-2.03.xml")
let exampleFile = repositoryRoot.appendingPathComponent(
    "Tests/ProgrammeServiceTests/Fixtures/activity-standard-example-annotated.xml"
)

/// The shipped economies' codes (ISO alpha-3, alpha-2, M49, name): the first four columns of
/// Data/sdg9/economies.csv, whose first three are never quoted.
let shippedCountries: CountryDirectory = {
    let text = try! String(
        contentsOf: repositoryRoot.appendingPathComponent("Data/sdg9/economies.csv"),
        encoding: .utf8
    )
    let entries = text.split(separator: "\n").dropFirst().map { line in
        let fields = line.split(separator: ",", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        return CountryDirectory.Entry(alpha3: fields[0], alpha2: fields[1], m49: fields[2], name: fields[3])
    }
    return CountryDirectory(entries)
}()

/// Counts and sums read straight from the XML text, without the importer: what the importer must agree with.
struct RawCounts {
    let activities: Int
    let transactions: Int
    let budgets: Int
    /// Transaction values by type code, in minor units (USD cents), summed exactly.
    let transactionCents: [Int: Int64]

    init(_ xml: String) {
        func count(_ needle: String) -> Int { xml.components(separatedBy: needle).count - 1 }
        activities = count("<iati-activity ")
        transactions = count("<transaction ") + count("<transaction>")
        budgets = count("<budget>") + count("<budget ")
        var cents: [Int: Int64] = [:]
        for piece in xml.components(separatedBy: "</transaction>").dropLast() {
            guard let start = piece.range(of: "<transaction ", options: .backwards) else { continue }
            let block = String(piece[start.lowerBound...])
            guard let code = Int(Self.between(block, "<transaction-type code=\"", "\"")),
                let value = Self.between(block, "<value", "</value>").split(separator: ">").last
            else { continue }
            cents[code, default: 0] += Self.cents(String(value))
        }
        transactionCents = cents
    }

    static func between(_ text: String, _ start: String, _ end: String) -> String {
        guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex)
        else { return "" }
        return String(text[from.upperBound..<to.lowerBound])
    }

    /// "7336.99" -> 733699, "-0.01" -> -1, "7310.8" -> 731080, by string arithmetic.
    static func cents(_ text: String) -> Int64 {
        let negative = text.hasPrefix("-")
        let parts = text.drop(while: { $0 == "-" }).split(separator: ".", omittingEmptySubsequences: false)
        let fraction = (parts.count > 1 ? String(parts[1]) : "") + "00"
        let value = Int64(parts[0])! * 100 + Int64(fraction.prefix(2))!
        return negative ? -value : value
    }
}

@Suite("IATI import: reading files", .timeLimit(.minutes(1)))
struct IATIReaderTests {
    @Test("UNIDO's 33 activities read with every transaction and budget, totals equal to the file's")
    func readsUnidoFile() throws {
        let data = try Data(contentsOf: unidoFile)
        let raw = RawCounts(String(decoding: data, as: UTF8.self))
        let result = try IATIReader.read(data, file: "unido.xml", countries: shippedCountries)
        #expect(result.version == "2.03")
        #expect(result.programmes.count == raw.activities)
        #expect(raw.activities == 33)
        #expect(result.programmes.reduce(0) { $0 + $1.transactions.count } == raw.transactions)
        #expect(result.programmes.reduce(0) { $0 + $1.budgets.count } == raw.budgets)
        var cents: [Int: Int64] = [:]
        for transaction in result.programmes.flatMap(\.transactions) {
            #expect(transaction.value.currency.code == "USD")
            cents[transaction.type.rawValue, default: 0] += transaction.value.minorUnits
        }
        #expect(cents == raw.transactionCents)
        #expect(Set(cents.keys) == [1, 4])
    }

    @Test("UNIDO's first activity: identifiers, status, dates, country, funder, budgets")
    func firstActivity() throws {
        let result = try IATIReader.read(Data(contentsOf: unidoFile), file: "unido.xml", countries: shippedCountries)
        let moldova = try #require(result.programmes.first)
        #expect(moldova.iatiIdentifier == "XM-DAC-41123-PROJECT-150277")
        #expect(moldova.title == "UNIDO Country Programming Framework for the Republic of Moldova 2019-2023")
        #expect(moldova.kind == .countryProgramme)
        #expect(moldova.status == .ongoing)
        #expect(moldova.dates.plannedStart?.description == "2015-10-12")
        #expect(moldova.dates.plannedEnd?.description == "2023-12-31")
        #expect(moldova.countries == [CountryShare(code: "MDA", percentage: DecimalText("100"))])
        #expect(moldova.sectors == [SectorShare(code: "321", vocabulary: "2", percentage: DecimalText("100"))])
        #expect(moldova.reportingOrganisation?.iatiRef == "XM-DAC-41123")
        #expect(moldova.participatingOrganisations.first?.role == .funding)
        #expect(moldova.participatingOrganisations.first?.iatiRef == nil)
        #expect(moldova.budgets.first?.value == Money(733_699, Currency(code: "USD")!))
        #expect(moldova.budgets.first?.kind == nil)
        #expect(moldova.defaultLanguage == "en")
    }

    @Test("the real file's quirks are accepted with warnings, not refused")
    func unidoWarnings() throws {
        let result = try IATIReader.read(Data(contentsOf: unidoFile), file: "unido.xml", countries: shippedCountries)
        let messages = result.warnings.map(\.message)
        #expect(messages.filter { $0.hasPrefix("attributes in foreign namespaces") }.count == 33)
        #expect(messages.contains { $0.contains("for the activity and for transactions too") })
        #expect(result.warnings.allSatisfy { $0.line > 0 })
    }

    @Test("the standard's example reads, with SDG goals and targets from its tags and sectors")
    func readsExampleFile() throws {
        let data = try Data(contentsOf: exampleFile)
        let raw = RawCounts(String(decoding: data, as: UTF8.self))
        let result = try IATIReader.read(data, file: "example.xml", countries: shippedCountries)
        #expect(result.programmes.count == 1)
        let example = try #require(result.programmes.first)
        #expect(example.iatiIdentifier == "AA-AAA-123456789-ABC123")
        #expect(example.transactions.count == raw.transactions)
        #expect(example.budgets.count == raw.budgets)
        #expect(example.parentIATIIdentifier == "AA-AAA-123456789-6789")
        #expect(example.titleNarratives.count >= 2)
    }

    @Test(
        "what cannot be read is refused, naming the line and element",
        arguments: [
            ("<iati-activities version=\"2.03\"><iati-activity>", "iati-activity"),
            (
                "<iati-activities version=\"1.05\"><iati-activity><iati-identifier>X</iati-identifier>"
                    + "</iati-activity></iati-activities>", "iati-activities"
            ),
            (
                "<iati-activities version=\"2.03\"><iati-activity>\n<title><narrative>T</narrative></title>"
                    + "</iati-activity></iati-activities>", "iati-activity"
            ),
            (
                "<iati-activities version=\"2.03\"><iati-activity><iati-identifier>X</iati-identifier>\n"
                    + "<title><narrative>T</narrative></title><transaction>\n<transaction-type code=\"3\"/>"
                    + "<transaction-date iso-date=\"2020-01-01\"/><value currency=\"XYZ\">1</value></transaction>"
                    + "</iati-activity></iati-activities>", "value"
            ),
            ("<organisations/>", "organisations"),
        ]
    )
    func refused(xml: String, element: String) {
        #expect(throws: IATIImportError.self) {
            try IATIReader.read(Data(xml.utf8), file: "bad.xml", countries: shippedCountries)
        }
        do {
            _ = try IATIReader.read(Data(xml.utf8), file: "bad.xml", countries: shippedCountries)
        } catch let error as IATIImportError {
            #expect(error.file == "bad.xml")
            #expect(error.line >= 1)
            #expect(error.element.contains(element) || element.contains(error.element))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("percentages that sum to 99.99 are kept as given, with a warning")
    func percentagesOff() throws {
        let xml = """
            <iati-activities version="2.03"><iati-activity default-currency="EUR">
            <iati-identifier>XM-DAC-41123-T1</iati-identifier><title><narrative>T</narrative></title>
            <recipient-country code="ET" percentage="33.33"/><recipient-country code="RW" percentage="33.33"/>
            <recipient-country code="SN" percentage="33.33"/></iati-activity></iati-activities>
            """
        let result = try IATIReader.read(Data(xml.utf8), file: "t.xml", countries: shippedCountries)
        #expect(result.programmes[0].countries.map(\.code) == ["ETH", "RWA", "SEN"])
        #expect(result.warnings.contains { $0.message.contains("sum to 99.99, not 100") })
    }

    @Test("a 2.02 file using 2.03's tags is read as 2.03, with a warning; tags name SDG goals and targets")
    func newerAttributes() throws {
        let xml = """
            <iati-activities version="2.02"><iati-activity default-currency="USD">
            <iati-identifier>XM-DAC-41123-T2</iati-identifier><title><narrative>T</narrative></title>
            <tag code="9" vocabulary="2"/><tag code="9.2" vocabulary="3"/><sector code="9.b" vocabulary="8"/>
            </iati-activity></iati-activities>
            """
        let result = try IATIReader.read(Data(xml.utf8), file: "t.xml", countries: shippedCountries)
        #expect(result.programmes[0].sdgGoals == [9])
        #expect(result.programmes[0].sdgTargets == ["9.2", "9.b"])
        #expect(result.warnings.contains { $0.message.contains("new in IATI 2.03") })
    }
}
