/// What one unit of a currency is worth in another on a date, from a named source, as an exact decimal.
public struct ExchangeRate: Hashable, Sendable {
    public let from: Currency
    public let to: Currency
    /// The rate as an integer over a power of ten: "1.0875" is 10875 / 10^4.
    public let numerator: Int64
    public let scale: Int
    public let date: CalendarDate
    public let source: String

    /// At most 12 digits after the point, so conversions stay exact in 128-bit arithmetic.
    public static let maximumScale = 12

    public init(
        from: Currency,
        to: Currency,
        rate text: String,
        date: CalendarDate,
        source: String
    )
        throws(ExchangeRateError)
    {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }),
            fraction.allSatisfy({ $0.isASCII && $0.isNumber })
        else { throw .malformed(text) }
        guard fraction.count <= Self.maximumScale else { throw .tooPrecise(text) }
        guard let numerator = Int64(whole + fraction), numerator > 0 else { throw .notPositive(text) }
        guard !source.allSatisfy(\.isWhitespace) else { throw .missingSource }
        self.from = from
        self.to = to
        self.numerator = numerator
        self.scale = fraction.count
        self.date = date
        self.source = source
    }

    /// The rate as it was given, normalised: "1.0875".
    public var decimalString: String {
        let digits = String(numerator)
        guard scale > 0 else { return digits }
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -scale)
        return padded[..<split] + "." + padded[split...]
    }

    /// `money` in the target currency, rounded half to even to the target's minor unit; exact up to the
    /// rounding. Throws when the result does not fit.
    public func convert(_ money: Money) throws(MoneyError) -> Money {
        guard money.currency == from else { throw .currencyMismatch(from.code, money.currency.code) }
        // amount_to = amount_from * rate * 10^(to.exponent - from.exponent), over 10^scale.
        var numerator = Int128(money.minorUnits) * Int128(self.numerator)
        var denominator = Int128(1)
        for _ in 0..<scale { denominator *= 10 }
        let shift = to.exponent - from.exponent
        for _ in 0..<max(shift, 0) { numerator *= 10 }
        for _ in 0..<max(-shift, 0) { denominator *= 10 }
        let quotient = Self.roundHalfEven(numerator, denominator)
        guard let minorUnits = Int64(exactly: quotient) else { throw .overflow(to.code) }
        return Money(minorUnits, to)
    }

    static func roundHalfEven(_ numerator: Int128, _ denominator: Int128) -> Int128 {
        var quotient = numerator / denominator
        let remainder = numerator % denominator
        let twice = remainder.magnitude * 2
        if twice > denominator.magnitude || (twice == denominator.magnitude && quotient % 2 != 0) {
            quotient += numerator < 0 ? -1 : 1
        }
        return quotient
    }
}

public enum ExchangeRateError: Error, Hashable, Sendable, CustomStringConvertible {
    case malformed(String)
    case tooPrecise(String)
    case notPositive(String)
    case missingSource

    public var description: String {
        switch self {
        case .malformed(let text): return "\"\(text)\" is not a decimal rate"
        case .tooPrecise(let text): return "\"\(text)\" has more than \(ExchangeRate.maximumScale) decimals"
        case .notPositive(let text): return "the rate \"\(text)\" must be greater than zero"
        case .missingSource: return "every rate needs its source"
        }
    }
}
