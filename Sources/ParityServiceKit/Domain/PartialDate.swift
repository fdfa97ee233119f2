/// A calendar date known to the day, the month or only the year ("July 2020", "2019"), as sources state
/// them: an unknown day is never filled in.
public struct PartialDate: Hashable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    /// 1 to 12, or nil when only the year is known.
    public let month: Int?
    /// A day of the month, or nil when not known (then `month` may still be).
    public let day: Int?

    /// A real date of the proleptic Gregorian calendar at the precision given; nil otherwise (a day without
    /// a month, month 13, 30 February).
    public init?(year: Int, month: Int? = nil, day: Int? = nil) {
        guard (1...9999).contains(year) else { return nil }
        if let month, !(1...12).contains(month) { return nil }
        if let day {
            guard let month, (1...Self.days(inMonth: month, year: year)).contains(day) else { return nil }
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The first day the date may be, as (year, month, day).
    public var earliestDay: Day { Day(year: year, month: month ?? 1, day: day ?? 1) }

    /// The last day the date may be.
    public var latestDay: Day {
        let month = month ?? 12
        return Day(year: year, month: month, day: day ?? Self.days(inMonth: month, year: year))
    }

    /// Whether the date names one day.
    public var isFullDate: Bool { day != nil }

    /// "2020-07-10", "2020-07" or "2020".
    public var description: String {
        var text = Self.pad(year, 4)
        if let month { text += "-" + Self.pad(month, 2) }
        if let day { text += "-" + Self.pad(day, 2) }
        return text
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// One calendar day, ordered.
    public struct Day: Hashable, Sendable, Comparable, CustomStringConvertible {
        public let year: Int
        public let month: Int
        public let day: Int

        public static func < (lhs: Day, rhs: Day) -> Bool {
            (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
        }

        public var description: String { "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))" }
    }
}
