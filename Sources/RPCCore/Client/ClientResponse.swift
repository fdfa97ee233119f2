/// A single response with the metadata around it.
public struct ClientResponse<Message: WireMessage>: Sendable {
    public var message: Message
    public var initialMetadata: Metadata
    public var trailingMetadata: Metadata
}

/// The response messages of a streaming call, with its headers and trailers.
public struct ResponseStream<Message: WireMessage>: AsyncSequence, Sendable {
    public typealias Element = Message
    public typealias Failure = any Error

    let call: any ClientCallStream

    /// The response headers, waiting for them if needed.
    public func initialMetadata() async throws -> Metadata { try await call.receiveHeaders() }

    /// The trailers, once the stream has ended (waits for the end otherwise).
    public func trailingMetadata() async -> Metadata { await call.receiveStatus().1 }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let call: any ClientCallStream

        /// The next message; nil at the end of an OK stream; throws the call's error status otherwise.
        public mutating func next() async throws -> Message? {
            if let bytes = try await call.receive() {
                return try decodeMessage(Message.self, from: bytes, side: "response")
            }
            let (status, trailers) = await call.receiveStatus()
            guard status.code == .ok else { throw RPCError(status: status, metadata: trailers) }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(call: call) }
}

/// Sends a client's request messages.
public struct RequestWriter<Message: WireMessage>: Sendable {
    let call: any ClientCallStream

    /// Sends one message; `compress: false` sends it uncompressed even when the call compresses.
    public func write(_ message: Message, compress: Bool = true) async throws {
        let framed = try MessageFramer.frame(
            message,
            encoding: compress ? call.requestEncoding : nil,
            allocator: call.allocator
        )
        try await call.send(framed: framed)
    }

    public func write(contentsOf messages: some Sequence<Message>) async throws {
        for message in messages { try await write(message) }
    }

    /// Half-closes the call: the server sees the end of the request stream. Writing afterwards fails.
    public func close() {
        call.closeSend()
    }
}
