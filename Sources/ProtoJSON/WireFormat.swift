/// Protobuf wire types (encoding.md).
enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// Reads protobuf wire format from borrowed bytes; every read checks bounds and throws `malformedBinary`.
struct WireReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var position: Int
    let end: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    var isAtEnd: Bool { position >= end }

    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = bytes[position]
            position += 1
            if shift == 63 && byte > 1 { break }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { break }
        }
        throw ProtoJSONError(.malformedBinary, "truncated or overlong varint")
    }

    /// The next field's number and wire type.
    mutating func readTag() throws -> (number: Int32, wireType: WireType) {
        let tag = try readVarint()
        let number = tag >> 3
        guard number > 0, number <= 536_870_911, let wireType = WireType(rawValue: UInt8(tag & 7)) else {
            throw ProtoJSONError(.malformedBinary, "invalid field tag \(tag)")
        }
        return (Int32(number), wireType)
    }

    mutating func readFixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw ProtoJSONError(.malformedBinary, "truncated fixed32") }
        var value: UInt32 = 0
        for offset in 0..<4 { value |= UInt32(bytes[position + offset]) << UInt32(8 * offset) }
        position += 4
        return value
    }

    mutating func readFixed64() throws -> UInt64 {
        guard end - position >= 8 else { throw ProtoJSONError(.malformedBinary, "truncated fixed64") }
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(bytes[position + offset]) << UInt64(8 * offset) }
        position += 8
        return value
    }

    /// The range of a length-delimited payload, consumed.
    mutating func readLengthDelimited() throws -> Range<Int> {
        let length = try readVarint()
        guard length <= UInt64(end - position) else {
            throw ProtoJSONError(.malformedBinary, "length-delimited field longer than its message")
        }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// Skips one field's value (groups included, which proto3 never writes but a peer may).
    mutating func skip(_ wireType: WireType, number: Int32, depth: Int = 0) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: _ = try readFixed64()
        case .fixed32: _ = try readFixed32()
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup:
            guard depth < 100 else { throw ProtoJSONError(.malformedBinary, "groups nested too deeply") }
            while true {
                guard !isAtEnd else { throw ProtoJSONError(.malformedBinary, "unterminated group") }
                let (innerNumber, innerType) = try readTag()
                if innerType == .endGroup {
                    guard innerNumber == number else { throw ProtoJSONError(.malformedBinary, "mismatched group end") }
                    return
                }
                try skip(innerType, number: innerNumber, depth: depth + 1)
            }
        case .endGroup: throw ProtoJSONError(.malformedBinary, "unexpected group end")
        }
    }
}

/// Writes protobuf wire format straight into one growing byte array.
struct WireWriter {
    var bytes: [UInt8] = []

    @inline(__always)
    mutating func writeVarint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    @inline(__always)
    mutating func writeTag(_ number: Int32, _ wireType: WireType) {
        writeVarint(UInt64(UInt32(bitPattern: number)) << 3 | UInt64(wireType.rawValue))
    }

    mutating func writeFixed32(_ value: UInt32) {
        for offset in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(8 * offset))) }
    }

    mutating func writeFixed64(_ value: UInt64) {
        for offset in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(8 * offset))) }
    }

    mutating func writeBytes<C: Collection>(_ payload: C) where C.Element == UInt8 {
        writeVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// Starts a length-delimited payload whose size is not known yet: one byte is reserved for the length,
    /// which `endLengthDelimited` fills in, moving the payload only when the length needs more bytes (payloads
    /// of 128 bytes or more), so nested messages need no buffer of their own.
    @inline(__always)
    mutating func beginLengthDelimited() -> Int {
        bytes.append(0)
        return bytes.count
    }

    mutating func endLengthDelimited(_ payloadStart: Int) {
        let length = bytes.count - payloadStart
        if length < 0x80 {
            bytes[payloadStart - 1] = UInt8(length)
            return
        }
        var size = 1
        var remaining = length >> 7
        while remaining > 0 {
            size += 1
            remaining >>= 7
        }
        bytes.insert(contentsOf: repeatElement(0, count: size - 1), at: payloadStart)
        var value = length
        var index = payloadStart - 1
        while value >= 0x80 {
            bytes[index] = UInt8(truncatingIfNeeded: value) | 0x80
            value >>= 7
            index += 1
        }
        bytes[index] = UInt8(value)
    }
}

extension UInt64 {
    @inline(__always) var zigZagDecoded: Int64 { Int64(bitPattern: (self >> 1) ^ (0 &- (self & 1))) }
}

extension Int64 {
    @inline(__always) var zigZagEncoded: UInt64 { UInt64(bitPattern: (self << 1) ^ (self >> 63)) }
}
