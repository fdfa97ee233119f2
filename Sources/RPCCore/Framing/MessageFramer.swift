public import NIOCore

/// Writes gRPC's length-prefixed messages: a flag byte (1 = compressed), a 4-byte big-endian length,
/// then the message.
public enum MessageFramer {
    public static let prefixLength = 5

    /// Frames one message, serialising it straight after the prefix so the body is written once.
    ///
    /// With an encoding other than identity the message is compressed and the flag set.
    public static func frame(
        _ message: some WireMessage,
        encoding: MessageEncoding?,
        allocator: ByteBufferAllocator
    ) throws(RPCError) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        try append(message, encoding: encoding, to: &buffer, allocator: allocator)
        return buffer
    }

    /// Appends one framed message to `buffer`.
    public static func append(
        _ message: some WireMessage,
        encoding: MessageEncoding?,
        to buffer: inout ByteBuffer,
        allocator: ByteBufferAllocator
    ) throws(RPCError) {
        let prefixIndex = buffer.writerIndex
        buffer.writeRepeatingByte(0, count: prefixLength)
        do {
            if let encoding, encoding != .identity {
                var plain = allocator.buffer(capacity: 64)
                try message.serialize(into: &plain)
                try encoding.compress(&plain, into: &buffer)
                buffer.setInteger(UInt8(1), at: prefixIndex)
            } else {
                try message.serialize(into: &buffer)
            }
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(code: .internal, message: "Failed to serialize a message: \(error)", cause: error)
        }
        let length = buffer.writerIndex - prefixIndex - prefixLength
        guard length <= Int(UInt32.max) else {
            throw RPCError(code: .resourceExhausted, message: "Message of \(length) bytes is too large to frame.")
        }
        buffer.setInteger(UInt32(length), at: prefixIndex + 1)
    }
}
