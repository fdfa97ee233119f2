public import NIOCore

/// Reads gRPC's length-prefixed messages from DATA frame payloads, which may split a message or
/// carry several.
///
/// A message longer than the limit is refused as soon as its prefix is read, before its body has
/// arrived, so a peer cannot make us buffer it.
public struct MessageDeframer: Sendable {
    public let maxMessageSize: Int
    /// The encoding the peer declared in `grpc-encoding`, used for messages whose flag is 1.
    public var encoding: MessageEncoding?

    private var buffer: ByteBuffer?
    /// Whether the message `next()` returned last had its compressed flag set.
    public private(set) var lastMessageWasCompressed = false

    public init(maxMessageSize: Int, encoding: MessageEncoding? = nil) {
        self.maxMessageSize = maxMessageSize
        self.encoding = encoding
    }

    /// Bytes received but not yet returned as a message.
    public var bufferedBytes: Int { buffer?.readableBytes ?? 0 }

    /// Adds received bytes. A buffer that arrives when nothing is pending is kept as it is (no copy).
    public mutating func append(_ bytes: ByteBuffer) {
        if var existing = buffer, existing.readableBytes > 0 {
            // Drop our own reference first so the append does not copy the whole pending buffer.
            buffer = nil
            existing.writeImmutableBuffer(bytes)
            buffer = existing
        } else {
            buffer = bytes
        }
    }

    /// The next whole message, or nil until more bytes arrive.
    public mutating func next() throws(RPCError) -> ByteBuffer? {
        guard var pending = buffer, pending.readableBytes >= MessageFramer.prefixLength else { return nil }
        let start = pending.readerIndex
        let flag = pending.getInteger(at: start, as: UInt8.self)!
        let length = Int(pending.getInteger(at: start + 1, as: UInt32.self)!)
        guard flag <= 1 else {
            throw RPCError(code: .internal, message: "Invalid message compression flag \(flag).")
        }
        guard length <= maxMessageSize else {
            throw RPCError(
                code: .resourceExhausted,
                message: "Received message larger than max (\(length) vs. \(maxMessageSize))"
            )
        }
        guard pending.readableBytes >= MessageFramer.prefixLength + length else { return nil }
        pending.moveReaderIndex(forwardBy: MessageFramer.prefixLength)
        var message = pending.readSlice(length: length)!
        buffer = pending.readableBytes == 0 ? nil : pending
        lastMessageWasCompressed = flag == 1

        guard flag == 1 else { return message }
        guard let encoding, encoding != .identity else {
            throw RPCError(
                code: .internal,
                message: "Compressed message received but no grpc-encoding was declared."
            )
        }
        return try encoding.decompress(&message, limit: maxMessageSize)
    }

    /// Checks that the peer ended its stream between messages, not inside one.
    public func finish() throws(RPCError) {
        if bufferedBytes > 0 {
            throw RPCError(
                code: .internal,
                message: "Stream ended in the middle of a message (\(bufferedBytes) bytes left over)."
            )
        }
    }
}
