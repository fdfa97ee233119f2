extension RPCClient {
    /// Makes a call to any method with its messages as bytes, whatever the method's shape: what a proxy
    /// uses to forward a call it received through ``RPCRouter/registerPassthrough(_:)``.
    ///
    /// `body` writes the request messages (then closes the request stream) and reads the responses; each
    /// write suspends while the server reads more slowly, and responses are read one at a time, so
    /// backpressure holds both ways. A failed call throws its status with its trailers from the response
    /// stream, which a proxy passes back unchanged by rethrowing it.
    public func passthrough<Result: Sendable>(
        _ method: MethodDescriptor,
        metadata: Metadata = [:],
        options: CallOptions = .defaults,
        body: (RequestWriter<PassthroughMessage>, PassthroughResponseStream) async throws -> Result
    ) async throws -> Result {
        try await withCall(method, metadata: metadata, options: options) { call in
            try await body(RequestWriter(call: call), PassthroughResponseStream(call: call))
        }
    }
}

/// The response messages of a passthrough call, each as its bytes with the flag saying whether it arrived
/// compressed, and the response's headers and trailers.
public struct PassthroughResponseStream: AsyncSequence, Sendable {
    public typealias Element = PassthroughMessage
    public typealias Failure = any Error

    let call: any ClientCallStream

    /// The response headers, waiting for them if needed (empty for a Trailers-Only response).
    public func initialMetadata() async throws -> Metadata { try await call.receiveHeaders() }

    /// The trailers, once the stream has ended (waits for the end otherwise).
    public func trailingMetadata() async -> Metadata { await call.receiveStatus().1 }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let call: any ClientCallStream

        /// The next message; nil at the end of an OK stream; throws the call's status otherwise.
        public mutating func next() async throws -> PassthroughMessage? {
            if let bytes = try await call.receive() {
                return PassthroughMessage(bytes: bytes, compressed: call.lastReceivedMessageWasCompressed)
            }
            let (status, trailers) = await call.receiveStatus()
            guard status.code == .ok else { throw RPCError(status: status, metadata: trailers) }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(call: call) }
}
