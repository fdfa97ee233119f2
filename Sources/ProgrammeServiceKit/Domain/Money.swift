/// An exact amount of one currency: an integer count of its minor units. Never floating point, so sums of
/// any size are exact, and an amount too large to hold is an error rather than a rounded number.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let currency: Currency
    /// USD 1,234.56 is 123456.
    public let minorUnits: Int64

    public init(_ minorUnits: Int64, _ currency: Currency) {
        self.currency = currency
        self.minorUnits = minorUnits
    }

    public static func zero(_ currency: Currency) -> Money { Money(0, currency) }

    public var isNegative: Bool { minorUnits < 0 }

    /// The sum; throws when the currencies differ or the sum does not fit.
    public func adding(_ other: Money) throws(MoneyError) -> Money {
        guard other.currency == currency else { throw .currencyMismatch(currency.code, other.currency.code) }
        let (sum, overflow) = minorUnits.addingReportingOverflow(other.minorUnits)
        guard !overflow else { throw .overflow(currency.code) }
        return Money(sum, currency)
    }

    /// The amount as a decimal string in major units, e.g. "1234.56", "-0.05", "1000" (JPY), "1.250" (KWD).
    public var decimalString: String {
        let magnitude = minorUnits.magnitude
        let digits = String(magnitude)
        let sign = minorUnits < 0 ? "-" : ""
        guard currency.exponent > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, currency.exponent + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -currency.exponent)
        return sign + padded[..<split] + "." + padded[split...]
    }

    /// Reads a decimal amount in major units ("7336.99", "100", "-12.5") exactly. More fractional digits than
    /// the currency has are refused unless they are zeros ("1.50" is fine for USD, "1.505" is not).
    public init(decimal text: String, _ currency: Currency) throws(MoneyError) {
        var body = Substring(text)
        let negative = body.first == "-"
        if negative || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        var fraction = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty || !fraction.isEmpty,
            whole.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.allSatisfy({ $0.isASCII && $0.isNumber })
        else { throw .malformed(text) }
        while fraction.count > currency.exponent, fraction.last == "0" { fraction = fraction.dropLast() }
        guard fraction.count <= currency.exponent else { throw .tooPrecise(text, currency.code) }
        let digits =
            (whole.isEmpty ? "0" : whole) + fraction + String(repeating: "0", count: currency.exponent - fraction.count)
        guard var value = Int64(digits) else { throw .overflow(currency.code) }
        if negative { value = -value }
        self.init(value, currency)
    }

    public var description: String { "\(currency.code) \(decimalString)" }
}

/// Why money could not be made or added.
public enum MoneyError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownCurrency(String)
    case currencyMismatch(String, String)
    case overflow(String)
    case malformed(String)
    case tooPrecise(String, String)

    public var description: String {
        switch self {
        case .unknownCurrency(let code): return "\"\(code)\" is not a current ISO 4217 currency code"
        case .currencyMismatch(let a, let b): return "cannot add \(b) to \(a)"
        case .overflow(let code): return "the \(code) amount is too large to hold exactly"
        case .malformed(let text): return "\"\(text)\" is not a decimal amount"
        case .tooPrecise(let text, let code): return "\"\(text)\" has more decimals than \(code) has"
        }
    }
}

/// Amounts summed per currency, exactly.
public struct MoneyTotals: Hashable, Sendable {
    public private(set) var byCurrency: [Currency: Money] = [:]

    public init() {}

    public mutating func add(_ money: Money) throws(MoneyError) {
        byCurrency[money.currency] = try (byCurrency[money.currency] ?? .zero(money.currency)).adding(money)
    }

    public mutating func add(_ other: MoneyTotals) throws(MoneyError) {
        for money in other.byCurrency.values { try add(money) }
    }

    /// One amount per currency, ordered by currency code.
    public var amounts: [Money] { byCurrency.values.sorted { $0.currency.code < $1.currency.code } }
}
