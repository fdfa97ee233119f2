/// A non-negative decimal number kept exactly as text ("100", "33.33", "99.99"), for IATI percentages:
/// compared and summed exactly, written back as read.
public struct DecimalText: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    /// The value scaled by 10^scale: "33.33" is 3333 at scale 2.
    let scaled: Int64
    let scale: Int

    public init?(_ text: String) {
        let trimmed = text.trimmingSpaces
        let parts = trimmed.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), fraction.count <= 9,
            whole.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
            let scaled = Int64((whole.isEmpty ? "0" : whole) + fraction)
        else { return nil }
        self.text = trimmed
        self.scaled = scaled
        self.scale = fraction.count
    }

    public var description: String { text }

    /// Whether the value is at most 100 (a percentage can be no more).
    public var isAtMostHundred: Bool {
        var hundred: Int64 = 100
        for _ in 0..<scale {
            let (product, overflow) = hundred.multipliedReportingOverflow(by: 10)
            if overflow { return false }
            hundred = product
        }
        return scaled <= hundred
    }

    /// Exactly `other`'s value (so "100" matches "100.00").
    public func hasValue(of other: DecimalText) -> Bool {
        let scale = max(self.scale, other.scale)
        return Self.rescaled(self, to: scale) == Self.rescaled(other, to: scale)
    }

    /// The exact sum of `values`, as a value at the largest scale among them; nil on overflow.
    public static func sum(_ values: [DecimalText]) -> (scaled: Int64, scale: Int)? {
        let scale = values.map(\.scale).max() ?? 0
        var total: Int64 = 0
        for value in values {
            guard let part = rescaled(value, to: scale) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow else { return nil }
            total = sum
        }
        return (total, scale)
    }

    /// Whether `values` sum to exactly 100.
    public static func sumIsHundred(_ values: [DecimalText]) -> Bool {
        guard let (total, scale) = sum(values) else { return false }
        var hundred: Int64 = 100
        for _ in 0..<scale { hundred *= 10 }
        return total == hundred
    }

    private static func rescaled(_ value: DecimalText, to scale: Int) -> Int64? {
        var result = value.scaled
        for _ in value.scale..<scale {
            let (product, overflow) = result.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            result = product
        }
        return result
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
