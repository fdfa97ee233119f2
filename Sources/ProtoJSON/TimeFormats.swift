/// RFC 3339 timestamps and `"1.5s"` durations as the proto3 JSON mapping writes and reads them, without
/// Foundation: civil dates by Howard Hinnant's days-from-civil algorithms (proleptic Gregorian, UTC).
enum TimeFormats {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range Timestamp allows.
    static let minTimestampSeconds: Int64 = -62_135_596_800
    static let maxTimestampSeconds: Int64 = 253_402_300_799
    /// About 10,000 years, the range Duration allows.
    static let maxDurationSeconds: Int64 = 315_576_000_000

    /// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z`, or nil out of range.
    static func formatTimestamp(seconds: Int64, nanos: Int32) -> [UInt8]? {
        guard seconds >= minTimestampSeconds, seconds <= maxTimestampSeconds, nanos >= 0, nanos <= 999_999_999 else {
            return nil
        }
        let days = floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        var text: [UInt8] = []
        text.reserveCapacity(30)
        appendDigits(year, count: 4, to: &text)
        text.append(UInt8(ascii: "-"))
        appendDigits(month, count: 2, to: &text)
        text.append(UInt8(ascii: "-"))
        appendDigits(day, count: 2, to: &text)
        text.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, count: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, count: 2, to: &text)
        text.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, count: 2, to: &text)
        appendFraction(nanos, to: &text)
        text.append(UInt8(ascii: "Z"))
        return text
    }

    /// `-1.5s`: seconds, then 0, 3, 6 or 9 fractional digits; nil out of range or with mixed signs.
    static func formatDuration(seconds: Int64, nanos: Int32) -> [UInt8]? {
        guard abs(seconds) <= maxDurationSeconds, abs(nanos) <= 999_999_999,
            !(seconds > 0 && nanos < 0), !(seconds < 0 && nanos > 0)
        else { return nil }
        var text: [UInt8] = []
        if seconds < 0 || nanos < 0 { text.append(UInt8(ascii: "-")) }
        var output = JSONOutput()
        output.appendInteger(UInt64(abs(seconds)))
        text.append(contentsOf: output.bytes)
        appendFraction(abs(nanos), to: &text)
        text.append(UInt8(ascii: "s"))
        return text
    }

    /// Parses an RFC 3339 timestamp (`Z` or a `±hh:mm` offset, up to 9 fractional digits) to UTC seconds and
    /// nanos; nil if it is not one or is out of range.
    static func parseTimestamp(_ text: [UInt8]) -> (seconds: Int64, nanos: Int32)? {
        var index = 0
        func number(_ count: Int) -> Int64? {
            guard text.count - index >= count else { return nil }
            var value: Int64 = 0
            for offset in 0..<count {
                let byte = text[index + offset]
                guard isDigit(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func expect(_ characters: UInt8...) -> Bool {
            guard index < text.count, characters.contains(text[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
            let day = number(2), expect(UInt8(ascii: "T"), UInt8(ascii: "t")), let hour = number(2),
            expect(UInt8(ascii: ":")), let minute = number(2), expect(UInt8(ascii: ":")), let second = number(2)
        else { return nil }
        guard year >= 1, (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month), hour <= 23,
            minute <= 59, second <= 59
        else { return nil }
        var nanos: Int32 = 0
        if index < text.count && text[index] == UInt8(ascii: ".") {
            index += 1
            guard let fraction = parseFraction(text, &index) else { return nil }
            nanos = fraction
        }
        var offsetSeconds: Int64 = 0
        if expect(UInt8(ascii: "Z"), UInt8(ascii: "z")) {
            offsetSeconds = 0
        } else if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
            let sign: Int64 = text[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = number(2), expect(UInt8(ascii: ":")), let offsetMinutes = number(2),
                offsetHours <= 23, offsetMinutes <= 59
            else { return nil }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == text.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        guard seconds >= minTimestampSeconds, seconds <= maxTimestampSeconds else { return nil }
        return (seconds, nanos)
    }

    /// Parses `[-]seconds[.fraction]s` (up to 9 fractional digits); nil if malformed or out of range.
    static func parseDuration(_ text: [UInt8]) -> (seconds: Int64, nanos: Int32)? {
        guard text.count >= 2, text.last == UInt8(ascii: "s") else { return nil }
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index = 1 }
        let end = text.count - 1
        var seconds: Int64 = 0
        var digits = 0
        while index < end && isDigit(text[index]) {
            guard digits < 12 else { return nil }
            seconds = seconds * 10 + Int64(text[index] - UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        var nanos: Int32 = 0
        if index < end && text[index] == UInt8(ascii: ".") {
            index += 1
            var fractionText = Array(text[index..<end])
            var fractionIndex = 0
            guard let fraction = parseFraction(fractionText, &fractionIndex), fractionIndex == fractionText.count else {
                return nil
            }
            fractionText.removeAll()
            nanos = fraction
            index = end
        }
        guard index == end, seconds <= maxDurationSeconds else { return nil }
        return negative ? (-seconds, -nanos) : (seconds, nanos)
    }

    /// 1 to 9 digits at `index` as nanoseconds.
    private static func parseFraction(_ text: [UInt8], _ index: inout Int) -> Int32? {
        var value: Int32 = 0
        var digits = 0
        while index < text.count && isDigit(text[index]) {
            guard digits < 9 else { return nil }
            value = value * 10 + Int32(text[index] - UInt8(ascii: "0"))
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        for _ in digits..<9 { value *= 10 }
        return value
    }

    private static func appendFraction(_ nanos: Int32, to text: inout [UInt8]) {
        guard nanos != 0 else { return }
        text.append(UInt8(ascii: "."))
        if nanos % 1_000_000 == 0 {
            appendDigits(Int64(nanos / 1_000_000), count: 3, to: &text)
        } else if nanos % 1000 == 0 {
            appendDigits(Int64(nanos / 1000), count: 6, to: &text)
        } else {
            appendDigits(Int64(nanos), count: 9, to: &text)
        }
    }

    private static func appendDigits(_ value: Int64, count: Int, to text: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<count { divisor *= 10 }
        var remaining = value
        while divisor > 0 {
            text.append(UInt8(ascii: "0") + UInt8(remaining / divisor))
            remaining %= divisor
            divisor /= 10
        }
    }

    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = floorDivide(shiftedYear, 400)
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
