import NIOCore

/// The messages a client streams to a handler, decoded as the handler asks for them. Reading one
/// message at a time is what lets flow control hold back a client that sends faster than we handle.
public struct RequestStream<Message: WireMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    public typealias Failure = any Error

    let receive: @Sendable () async throws(RPCError) -> ByteBuffer?

    public struct AsyncIterator: AsyncIteratorProtocol {
        let receive: @Sendable () async throws(RPCError) -> ByteBuffer?

        public mutating func next() async throws -> Message? {
            guard let bytes = try await receive() else { return nil }
            return try decodeMessage(Message.self, from: bytes, side: "request")
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(receive: receive) }
}

/// Decodes one message, turning a decoding failure into the INTERNAL status gRPC prescribes.
func decodeMessage<Message: WireMessage>(
    _ type: Message.Type,
    from bytes: ByteBuffer,
    side: String
) throws(RPCError) -> Message {
    do {
        return try Message(serializedBytes: bytes)
    } catch {
        throw RPCError(code: .internal, message: "Failed to deserialize \(side) message: \(error)", cause: error)
    }
}
