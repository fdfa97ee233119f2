/// The `grpc-timeout` header: up to eight ASCII digits and a unit (H, M, S, m, u, n).
public enum GRPCTimeout {
    /// Parses a header value into nanoseconds; nil when it is not a valid timeout. Inlinable so that it is
    /// specialised for the caller's buffer type: unspecialised, iterating the bytes allocated on every request.
    @inlinable
    public static func parse(_ value: some BidirectionalCollection<UInt8>) -> Int64? {
        guard let unitByte = value.last, value.count >= 2, value.count <= 9 else { return nil }
        var amount: Int64 = 0
        for digit in value.dropLast() {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
            amount = amount * 10 + Int64(digit - UInt8(ascii: "0"))
        }
        let nanosPerUnit: Int64
        switch unitByte {
        case UInt8(ascii: "H"): nanosPerUnit = 3_600_000_000_000
        case UInt8(ascii: "M"): nanosPerUnit = 60_000_000_000
        case UInt8(ascii: "S"): nanosPerUnit = 1_000_000_000
        case UInt8(ascii: "m"): nanosPerUnit = 1_000_000
        case UInt8(ascii: "u"): nanosPerUnit = 1_000
        case UInt8(ascii: "n"): nanosPerUnit = 1
        default: return nil
        }
        // 99,999,999 hours overflows Int64 nanoseconds; such a timeout means "effectively never".
        let (product, overflow) = amount.multipliedReportingOverflow(by: nanosPerUnit)
        return overflow ? Int64.max : product
    }

    /// Formats nanoseconds in the finest unit whose value fits in eight digits, rounding up so a
    /// deadline never arrives early at the peer.
    public static func format(nanoseconds: Int64) -> String {
        let nanos = max(nanoseconds, 0)
        let units: [(Int64, Character)] = [
            (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"),
            (3_600_000_000_000, "H"),
        ]
        for (size, unit) in units {
            let amount = nanos / size + (nanos % size == 0 ? 0 : 1)
            if amount <= 99_999_999 { return "\(amount)\(unit)" }
        }
        return "99999999H"
    }
}
