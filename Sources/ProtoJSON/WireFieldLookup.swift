/// Reads one field of a binary message without decoding the rest: what a proxy needs to learn one value
/// (a revision token) from messages it otherwise forwards as bytes.
public enum WireFieldLookup {
    /// The last value of the string field `number` at the top level of `message` (proto3: the last one
    /// wins), nil when the message has none; throws on malformed wire format.
    public static func string(_ number: Int32, in message: some Collection<UInt8>) throws -> String? {
        let bytes = Array(message)
        return try bytes.withUnsafeBufferPointer { buffer in
            var reader = WireReader(buffer, range: 0..<buffer.count)
            var found: Range<Int>?
            while !reader.isAtEnd {
                let (field, wireType) = try reader.readTag()
                if field == number, wireType == .lengthDelimited {
                    found = try reader.readLengthDelimited()
                } else {
                    try reader.skip(wireType, number: field)
                }
            }
            return found.map { String(decoding: buffer[$0], as: UTF8.self) }
        }
    }
}
