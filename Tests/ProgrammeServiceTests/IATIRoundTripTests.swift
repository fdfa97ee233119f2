import Foundation
import ProgrammeServiceKit
import Testing

@Suite("IATI import, export, import", .timeLimit(.minutes(1)))
struct IATIRoundTripTests {
    let writer = IATIWriter(countries: shippedCountries)

    func roundTrip(_ file: URL) throws -> (first: [Programme], second: [Programme], xml: String) {
        let first = try IATIReader.read(Data(contentsOf: file), file: "f.xml", countries: shippedCountries)
        let xml = writer.document(first.programmes, generated: "2026-01-01T00:00:00Z")
        let second = try IATIReader.read(Data(xml.utf8), file: "f.xml", countries: shippedCountries)
        return (first.programmes, second.programmes, xml)
    }

    @Test("UNIDO's activities come back the same after export and import")
    func unido() throws {
        let (first, second, _) = try roundTrip(unidoFile)
        #expect(first.count == 33)
        #expect(second == first)
    }

    @Test("the standard's example comes back the same after export and import")
    func example() throws {
        let (first, second, _) = try roundTrip(exampleFile)
        #expect(second == first)
    }

    @Test("an exported document declares 2.03 and holds one activity per programme, in order")
    func document() throws {
        let (first, _, xml) = try roundTrip(unidoFile)
        #expect(xml.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities "))
        #expect(xml.contains("version=\"2.03\""))
        #expect(xml.components(separatedBy: "<iati-activity").count - 1 == first.count)
    }

    @Test("text with markup characters is escaped and reads back unchanged")
    func escaping() throws {
        var programme = Programme(
            id: "prg-1",
            kind: .project,
            status: .ongoing,
            title: "Agro-parks & \"value chains\" <phase II>",
            provenance: Provenance(kind: .entered, citation: "")
        )
        programme.dates.plannedStart = CalendarDate(iso: "2020-01-01")
        let xml = writer.document([programme], generated: "2026-01-01T00:00:00Z")
        let back = try IATIReader.read(Data(xml.utf8), file: "f.xml", countries: shippedCountries)
        #expect(back.programmes.first?.title == programme.title)
        #expect(back.programmes.first?.iatiIdentifier == "XM-DAC-41123-prg-1")
    }
}
