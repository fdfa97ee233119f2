/// Hand-built protobuf binary for the tests, independent of the codec's own writer.
enum Wire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
        return bytes
    }

    static func tag(_ number: Int, _ wireType: UInt64) -> [UInt8] { varint(UInt64(number) << 3 | wireType) }

    /// A varint field; negative values as int64 (ten bytes).
    static func int(_ number: Int, _ value: Int64) -> [UInt8] { tag(number, 0) + varint(UInt64(bitPattern: value)) }

    static func fixed32(_ number: Int, _ bits: UInt32) -> [UInt8] {
        tag(number, 5) + (0..<4).map { UInt8(truncatingIfNeeded: bits >> UInt32(8 * $0)) }
    }

    static func fixed64(_ number: Int, _ bits: UInt64) -> [UInt8] {
        tag(number, 1) + (0..<8).map { UInt8(truncatingIfNeeded: bits >> UInt64(8 * $0)) }
    }

    static func bytes(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
        tag(number, 2) + varint(UInt64(payload.count)) + payload
    }

    static func string(_ number: Int, _ text: String) -> [UInt8] { bytes(number, Array(text.utf8)) }
}
