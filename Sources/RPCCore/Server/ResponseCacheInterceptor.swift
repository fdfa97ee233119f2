import IsidSync
import NIOCore

/// Serves repeated unary reads from their encoded answers: a read whose answer is a function of its request
/// and of the data's version is answered, while the version stands, with the bytes the handler produced the
/// first time, without decoding the request, running the handler or encoding the response. Pollers asking
/// the same question all day pay for it once per version.
///
/// `version` must change whenever anything an answer depends on may have changed (for a service on a
/// database, at every commit anywhere, this process's or another's) and must be cheap: it runs on every
/// call. The version is read before the handler runs, so an answer is never filed under a version later
/// than the data it reflects.
///
/// Only plain answers are kept: one uncompressed message, no response metadata, status OK. Errors, streams
/// and compressed requests pass through. The cache holds one version at a time, so a new version empties
/// it, and at most `maximumBytes` of answers (later answers are served uncached until the next version).
/// Put it after authentication and authorization in the chain: a hit skips everything after it.
public final class ResponseCacheInterceptor: ServerInterceptor {
    public let methods: Set<MethodDescriptor>
    public let maximumBytes: Int
    private let version: @Sendable () async throws -> Int64
    private let state = Lock(State())
    private let onLookup: @Sendable (MethodDescriptor, _ hit: Bool) -> Void

    private struct Key: Hashable {
        var method: MethodDescriptor
        var request: ByteBuffer
    }

    private struct State {
        var version: Int64 = .min
        var answers: [Key: ByteBuffer] = [:]
        var bytes = 0
    }

    /// - Parameters:
    ///   - methods: unary methods whose answer depends only on the request and the data's version.
    ///   - maximumBytes: the most answer bytes kept for one version.
    ///   - version: the data's version now.
    ///   - onLookup: told of each lookup, for metrics.
    public init(
        methods: some Sequence<MethodDescriptor>,
        maximumBytes: Int,
        version: @escaping @Sendable () async throws -> Int64,
        onLookup: @escaping @Sendable (MethodDescriptor, _ hit: Bool) -> Void = { _, _ in }
    ) {
        self.methods = Set(methods.filter { $0.kind == .unary })
        self.maximumBytes = maximumBytes
        self.version = version
        self.onLookup = onLookup
    }

    public func applies(to method: MethodDescriptor) -> Bool { methods.contains(method) }

    public func intercept(_ call: ServerCall, next: (ServerCall) async throws -> Void) async throws {
        guard let request = try await call.stream.receive() else {
            // No request: the handler answers that as it always does.
            return try await next(ServerCall(stream: ReplayingStream(call.stream, request: nil), context: call.context))
        }
        guard !call.stream.lastReceivedMessageWasCompressed else {
            return try await next(
                ServerCall(stream: ReplayingStream(call.stream, request: request), context: call.context)
            )
        }
        let version = try await self.version()
        let key = Key(method: call.method, request: request)
        let hit = state.withLock { $0.version == version ? $0.answers[key] : nil }
        onLookup(call.method, hit != nil)
        if let hit {
            // As the handler would: exactly one request message, then the answer.
            guard try await call.stream.receive() == nil else {
                throw RPCError(
                    code: .internal,
                    message: "Client sent more than one request message for \(call.method)."
                )
            }
            call.context.sendHeadersIfNeeded()
            try await call.stream.send(framed: hit)
            return
        }
        let replaying = ReplayingStream(call.stream, request: request)
        try await next(ServerCall(stream: replaying, context: call.context))
        guard let answer = replaying.onlyAnswer, call.context.sendsNoMetadata else { return }
        state.withLock { state in
            if state.version != version {
                // A newer version's answers are never replaced by an older one's.
                guard version > state.version else { return }
                state = State(version: version)
            }
            guard state.bytes + answer.readableBytes <= maximumBytes, state.answers[key] == nil else { return }
            state.answers[key] = answer
            state.bytes += answer.readableBytes
        }
    }
}

/// The call's stream with its first request message already read: hands that message out again, and
/// remembers the answer the handler sends, if it is one uncompressed message.
private final class ReplayingStream: ServerCallStream {
    private let base: any ServerCallStream
    private struct State {
        var request: ByteBuffer?
        var replayed = false
        var answers = 0
        var answer: ByteBuffer?
    }
    private let state: Lock<State>

    init(_ base: any ServerCallStream, request: ByteBuffer?) {
        self.base = base
        self.state = Lock(State(request: request))
    }

    var method: MethodDescriptor { base.method }
    var requestMetadata: Metadata { base.requestMetadata }
    var deadline: NIODeadline? { base.deadline }
    var peer: String { base.peer }
    var acceptedResponseEncodings: [MessageEncoding] { base.acceptedResponseEncodings }
    var allocator: ByteBufferAllocator { base.allocator }
    var lastReceivedMessageWasCompressed: Bool { base.lastReceivedMessageWasCompressed }

    /// The handler's answer when it sent exactly one uncompressed message.
    var onlyAnswer: ByteBuffer? { state.withLock { $0.answers == 1 ? $0.answer : nil } }

    func receive() async throws(RPCError) -> ByteBuffer? {
        let first = state.withLock { state -> (Bool, ByteBuffer?) in
            if state.replayed { return (false, nil) }
            state.replayed = true
            return (true, state.request)
        }
        if first.0 { return first.1 }
        return try await base.receive()
    }

    func sendHeaders(_ metadata: Metadata, encoding: MessageEncoding?) {
        base.sendHeaders(metadata, encoding: encoding)
    }

    func send(framed message: ByteBuffer) async throws(RPCError) {
        state.withLock { state in
            state.answers += 1
            // Byte 0 of the prefix is the compressed flag.
            state.answer = message.getInteger(at: message.readerIndex, as: UInt8.self) == 0 ? message : nil
        }
        try await base.send(framed: message)
    }

    func finish(status: Status, trailers: Metadata) {
        base.finish(status: status, trailers: trailers)
    }
}
