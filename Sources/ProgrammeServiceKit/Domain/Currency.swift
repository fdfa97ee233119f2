/// An ISO 4217 currency: its code and how many digits its minor unit has.
public struct Currency: Hashable, Sendable, CustomStringConvertible {
    /// Alphabetic code, e.g. "USD".
    public let code: String
    /// Numeric code, e.g. "840".
    public let number: String
    /// Digits after the decimal point: 2 for USD (cents), 0 for JPY, 3 for KWD.
    public let exponent: Int
    /// The currency's name in the ISO list, e.g. "US Dollar".
    public let name: String

    /// The current ISO 4217 currency with this alphabetic code; nil for anything else (lower case included).
    public init?(code: String) {
        guard let known = Self.iso4217[code] else { return nil }
        self = known
    }

    init(code: String, number: String, exponent: Int, name: String) {
        self.code = code
        self.number = number
        self.exponent = exponent
        self.name = name
    }

    public var description: String { code }

    /// 10 to the power of the exponent: minor units in one major unit.
    public var minorUnitsPerUnit: Int64 {
        var result: Int64 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    /// Every currency in the table, by code.
    public static var all: [Currency] { iso4217.values.sorted { $0.code < $1.code } }
}
