/// Base64 as the proto3 JSON mapping uses it: standard alphabet with padding out; standard or URL-safe,
/// padded or not, in.
enum Base64Coding {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8
    )

    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, into out: inout [UInt8]) {
        var index = range.lowerBound
        while range.upperBound - index >= 3 {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out.append(alphabet[Int(value >> 18)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(alphabet[Int(value & 63)])
            index += 3
        }
        switch range.upperBound - index {
        case 1:
            let value = UInt32(bytes[index]) << 16
            out.append(alphabet[Int(value >> 18)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        case 2:
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out.append(alphabet[Int(value >> 18)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(alphabet[Int(value >> 6 & 63)])
            out.append(UInt8(ascii: "="))
        default: break
        }
    }

    /// Decodes into `out`; false if the text is not base64 (a character outside both alphabets, which
    /// json_format would silently drop, padding in the middle, a lone trailing character).
    static func decode<C: Collection>(_ text: C, into out: inout [UInt8]) -> Bool where C.Element == UInt8 {
        var accumulator: UInt32 = 0
        var bits = 0
        var characters = 0
        var padding = 0
        for character in text {
            if character == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let value = sextet(character) else { return false }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            characters += 1
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Padding is optional and may be partial ("YQ=" as json_format takes it); a lone trailing
        // character is never valid.
        return characters % 4 != 1 && padding <= 2 && (padding == 0 || characters % 4 + padding <= 4)
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"), UInt8(ascii: "-"): 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
