import Foundation
import IsidStorage
import Testing

@Suite("Calendar year")
struct CalendarYearTests {
    @Test("the current year is the UTC calendar's")
    func currentYearIsUTC() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        #expect(CalendarYear.current == calendar.component(.year, from: Date()))
    }
}
