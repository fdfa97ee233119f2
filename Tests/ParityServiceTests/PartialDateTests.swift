import ParityServiceKit
import Testing

@Suite("Partial dates")
struct PartialDateTests {
    @Test(
        "a date is only as precise as its source",
        arguments: [
            (PartialDate(year: 2020, month: 7), "2020-07", "2020-07-01", "2020-07-31"),
            (PartialDate(year: 2019), "2019", "2019-01-01", "2019-12-31"),
            (PartialDate(year: 2020, month: 2, day: 29), "2020-02-29", "2020-02-29", "2020-02-29"),
            (PartialDate(year: 2020, month: 2), "2020-02", "2020-02-01", "2020-02-29"),
        ]
    )
    func precision(date: PartialDate?, text: String, earliest: String, latest: String) throws {
        let date = try #require(date)
        #expect(date.description == text)
        #expect(date.earliestDay.description == earliest)
        #expect(date.latestDay.description == latest)
    }

    @Test("impossible dates are refused")
    func impossible() {
        #expect(PartialDate(year: 2019, month: 2, day: 29) == nil)
        #expect(PartialDate(year: 2020, month: 13) == nil)
        #expect(PartialDate(year: 0) == nil)
        #expect(PartialDate(year: 2020, month: nil, day: 3) == nil)
    }
}
