/// Base64 (RFC 4648, standard alphabet) for `-bin` metadata, without Foundation.
///
/// gRPC emits values unpadded and must accept both padded and unpadded ones.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in alphabet.enumerated() { table[Int(char)] = UInt8(index) }
        return table
    }()

    public static func encode(_ bytes: some Collection<UInt8>, padded: Bool) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(group >> 18 & 0x3F)])
            output.append(alphabet[Int(group >> 12 & 0x3F)])
            if second != nil {
                output.append(alphabet[Int(group >> 6 & 0x3F)])
            } else if padded {
                output.append(UInt8(ascii: "="))
            }
            if third != nil {
                output.append(alphabet[Int(group & 0x3F)])
            } else if padded {
                output.append(UInt8(ascii: "="))
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes padded or unpadded base64; nil when the text is not base64.
    public static func decode(_ text: some Collection<UInt8>) -> [UInt8]? {
        var end = text.endIndex
        var padding = 0
        while end > text.startIndex, padding < 2 {
            let before = text.index(text.startIndex, offsetBy: text.distance(from: text.startIndex, to: end) - 1)
            guard text[before] == UInt8(ascii: "=") else { break }
            end = before
            padding += 1
        }
        let body = text[text.startIndex..<end]
        let length = body.count
        if length % 4 == 1 || (padding > 0 && (length + padding) % 4 != 0) { return nil }

        var output: [UInt8] = []
        output.reserveCapacity(length * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for char in body {
            let value = decodeTable[Int(char)]
            if value == 0xFF { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }

    public static func decode(_ text: String) -> [UInt8]? {
        decode(Array(text.utf8))
    }
}
