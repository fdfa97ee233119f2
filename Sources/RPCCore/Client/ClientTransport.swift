public import NIOCore

/// Opens calls to one endpoint. The HTTP/2 client connection implements it; tests may use another.
public protocol ClientTransport: Sendable {
    /// Starts a call: request headers go out now, messages follow through the returned stream.
    func openCall(
        _ method: MethodDescriptor,
        metadata: Metadata,
        deadline: NIODeadline?,
        options: CallOptions
    ) async throws(RPCError) -> any ClientCallStream
}

/// One outgoing call as a transport presents it to the client API.
public protocol ClientCallStream: AnyObject, Sendable {
    var allocator: ByteBufferAllocator { get }
    /// The encoding request messages are compressed with, if any.
    var requestEncoding: MessageEncoding? { get }

    /// Queues one framed request message; suspends while the server reads more slowly than we send.
    func send(framed message: ByteBuffer) async throws(RPCError)
    /// Half-closes: no more request messages.
    func closeSend()
    /// The response headers (empty for a Trailers-Only response). Throws the call's error if it failed first.
    func receiveHeaders() async throws(RPCError) -> Metadata
    /// Waits for the response to start: true once the server sent response headers, false when the call
    /// ended without them (a Trailers-Only answer, or a failure before any answer). Headers may carry no
    /// metadata, so an empty ``receiveHeaders()`` cannot tell the two apart.
    func receivedResponseHeaders() async -> Bool
    /// The next response message; nil once the server has sent its trailers.
    func receive() async throws(RPCError) -> ByteBuffer?
    /// Whether the message `receive()` returned last arrived compressed (its flag byte was 1).
    var lastReceivedMessageWasCompressed: Bool { get }
    /// The final status and trailers; waits for them.
    func receiveStatus() async -> (Status, Metadata)
    /// Cancels the call (RST_STREAM CANCEL); later operations fail with CANCELLED.
    func cancel()
}
