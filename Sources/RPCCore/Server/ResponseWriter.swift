/// Sends a handler's response messages. Each write suspends while the client reads more slowly than
/// the handler produces, so a stream never buffers without bound.
public struct ResponseWriter<Message: WireMessage>: Sendable {
    let stream: any ServerCallStream
    let context: ServerContext

    /// Sends one message; `compress: false` sends it uncompressed even when the call compresses.
    public func write(_ message: Message, compress: Bool = true) async throws {
        let encoding = context.sendHeadersIfNeeded()
        let framed = try MessageFramer.frame(
            message,
            encoding: compress ? encoding : nil,
            allocator: stream.allocator
        )
        try await stream.send(framed: framed)
    }

    /// Sends each message of a sequence in order.
    public func write(contentsOf messages: some Sequence<Message>) async throws {
        for message in messages { try await write(message) }
    }
}
