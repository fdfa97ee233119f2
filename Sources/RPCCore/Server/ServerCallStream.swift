public import NIOCore

/// One incoming call as a transport hands it to the core. The core calls these from the call's task;
/// the transport makes each safe from any thread and cheap from its own event loop.
public protocol ServerCallStream: AnyObject, Sendable {
    var method: MethodDescriptor { get }
    var requestMetadata: Metadata { get }
    /// The deadline from the client's `grpc-timeout`; the transport enforces it.
    var deadline: NIODeadline? { get }
    /// The peer's address, e.g. `ipv4:127.0.0.1:52011`.
    var peer: String { get }
    /// Encodings the client said it accepts for responses (`grpc-accept-encoding`).
    var acceptedResponseEncodings: [MessageEncoding] { get }
    var allocator: ByteBufferAllocator { get }

    /// The next request message, nil once the client has half-closed. Throws when the call has been
    /// cancelled or its request stream is malformed.
    func receive() async throws(RPCError) -> ByteBuffer?

    /// What `receive()` would return now without waiting: the next request message, or the end of the
    /// requests; `.notReady` when it would wait, or when the transport cannot tell cheaply (the default).
    /// Lets a proxy that cannot know a method's shape see a call whose requests have all arrived, and
    /// forward it as it forwards a unary one.
    func receiveIfReady() throws(RPCError) -> ReadyRequest

    /// Whether the message `receive()` returned last arrived compressed (its flag byte was 1).
    var lastReceivedMessageWasCompressed: Bool { get }

    /// Sends the response headers now; the encoding, when given, becomes `grpc-encoding`.
    func sendHeaders(_ metadata: Metadata, encoding: MessageEncoding?)

    /// Queues one framed response message; suspends while the peer is slower than the producer.
    func send(framed message: ByteBuffer) async throws(RPCError)

    /// Ends the call with a status and trailers (a Trailers-Only response when nothing was sent yet).
    func finish(status: Status, trailers: Metadata)
}

/// What a call's request stream holds at hand; see ``ServerCallStream/receiveIfReady()``.
public enum ReadyRequest: Sendable {
    case message(ByteBuffer)
    /// The client has half-closed and every message has been received.
    case end
    case notReady
}

extension ServerCallStream {
    public func receiveIfReady() throws(RPCError) -> ReadyRequest { .notReady }
}
