extension RPCRouter {
    /// Sends every call to a path no service registered to `handler`, with its messages as bytes: the
    /// route a proxy registers. The call's descriptor (`context.method`) names the path the client asked for;
    /// the handler sees every call as bidirectional, since a proxy need not know a method's shape.
    public mutating func registerPassthrough(
        _ handler:
            @escaping @Sendable (PassthroughRequestStream, ResponseWriter<PassthroughMessage>, ServerContext)
            async throws -> Void
    ) {
        registerCatchAll { stream, context in
            try await handler(
                PassthroughRequestStream(stream: stream),
                ResponseWriter(stream: stream, context: context),
                context
            )
        }
    }
}

extension RPCRouter {
    /// Sends the calls of `method` to `handler`, with their messages as bytes: a proxy's route for a method
    /// it knows, so the method is listed (reflection, health) and refused when unknown like any other.
    public mutating func registerPassthrough(
        _ method: MethodDescriptor,
        handler:
            @escaping @Sendable (PassthroughRequestStream, ResponseWriter<PassthroughMessage>, ServerContext)
            async throws -> Void
    ) {
        register(
            ServerMethod(descriptor: method) { stream, context in
                try await handler(
                    PassthroughRequestStream(stream: stream),
                    ResponseWriter(stream: stream, context: context),
                    context
                )
            }
        )
    }
}

/// The request messages of a passthrough call, each as its bytes with the flag saying whether it arrived
/// compressed. Read one at a time, so a slow upstream holds back the client through flow control.
public struct PassthroughRequestStream: AsyncSequence, Sendable {
    public typealias Element = PassthroughMessage
    public typealias Failure = any Error

    let stream: any ServerCallStream

    public struct AsyncIterator: AsyncIteratorProtocol {
        let stream: any ServerCallStream

        public mutating func next() async throws -> PassthroughMessage? {
            guard let bytes = try await stream.receive() else { return nil }
            return PassthroughMessage(bytes: bytes, compressed: stream.lastReceivedMessageWasCompressed)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: stream) }

    /// The next message or the end, if at hand without waiting; see ``ServerCallStream/receiveIfReady()``.
    func nextIfReady() -> ReadyPassthroughMessage {
        switch (try? stream.receiveIfReady()) ?? .notReady {
        case .message(let bytes):
            return .message(PassthroughMessage(bytes: bytes, compressed: stream.lastReceivedMessageWasCompressed))
        case .end: return .end
        case .notReady: return .notReady
        }
    }
}

enum ReadyPassthroughMessage {
    case message(PassthroughMessage)
    case end
    case notReady
}

extension ResponseWriter where Message == PassthroughMessage {
    /// Sends a forwarded message, compressed when it arrived compressed and the call compresses responses.
    public func write(_ message: PassthroughMessage) async throws {
        try await write(message, compress: message.compressed)
    }
}

extension RequestWriter where Message == PassthroughMessage {
    /// Sends a forwarded message, compressed when it arrived compressed and the call compresses requests.
    public func write(_ message: PassthroughMessage) async throws {
        try await write(message, compress: message.compressed)
    }
}
