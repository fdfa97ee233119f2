/// Appends JSON tokens to a byte array: strings escaped as Python's `json.dumps(ensure_ascii=False)` does,
/// integers without going through `String`.
struct JSONOutput {
    var bytes: [UInt8] = []

    @inline(__always) mutating func append(_ byte: UInt8) { bytes.append(byte) }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func appendRaw(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// A JSON string from UTF-8 that is already valid.
    mutating func appendString(_ source: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        bytes.append(UInt8(ascii: "\""))
        var runStart = range.lowerBound
        var index = range.lowerBound
        while index < range.upperBound {
            index = plainRunEnd(source, from: index, to: range.upperBound, allowNonASCII: true)
            if index == range.upperBound { break }
            let byte = source[index]
            if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<index])) }
            appendEscape(byte)
            index += 1
            runStart = index
        }
        if runStart < index { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: source[runStart..<index])) }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { appendString($0, range: 0..<$0.count) }
    }

    private mutating func appendEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            let hex: StaticString = "0123456789abcdef"
            bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            hex.withUTF8Buffer {
                bytes.append($0[Int(byte >> 4)])
                bytes.append($0[Int(byte & 15)])
            }
        }
    }

    mutating func appendInteger(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendInteger(UInt64(bitPattern: 0 &- value))  // magnitude; Int64.min's is 2^63
        } else {
            appendInteger(UInt64(value))
        }
    }

    mutating func appendInteger(_ value: UInt64) {
        if value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 20 digits at most, kept off the heap
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while remaining > 0 {
                buffer[count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }

    /// Doubles as the shortest text that reads back to the same value (Swift's description, the same digits as
    /// Python's `repr`); non-finite values as the mapping's strings.
    mutating func appendDouble(_ value: Double) {
        if value.isNaN {
            append("\"NaN\"")
        } else if value.isInfinite {
            append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"")
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// Floats by their own shortest text (0.1, not 0.10000000149011612), as json_format's `ToShortestFloat`
    /// does: for normal floats that is the same number; subnormal ones get its 6-or-more significant digits.
    mutating func appendFloat(_ value: Float) {
        if value.isNaN {
            append("\"NaN\"")
        } else if value.isInfinite {
            append(value > 0 ? "\"Infinity\"" : "\"-Infinity\"")
        } else if value.isSubnormal {
            bytes.append(contentsOf: Self.subnormalText(value).utf8)
        } else {
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// `ToShortestFloat` on a subnormal float: the value rounded to 6 significant digits, or 7, 8, 9 until it
    /// reads back as the same float (Swift's shortest digits would give another double: 1e-45, not 1.4013e-45).
    static func subnormalText(_ value: Float) -> String {
        let magnitude = Double(value.magnitude)
        var exponent = -38
        var power = 1e-38
        while power > magnitude {
            power /= 10
            exponent -= 1
        }
        for precision in 6...9 {
            var scale = 1.0
            for _ in 1..<precision { scale *= 10 }
            let digits = (magnitude / power * scale / 10 * 10).rounded()
            let text = (value < 0 ? "-" : "") + "\(Int64(digits))e\(exponent - precision + 1)"
            if let parsed = Double(text), Float(parsed) == value { return text }
        }
        return value.description
    }
}
