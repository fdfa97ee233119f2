import NIOCore
import RPCCore
import Synchronization

/// One outgoing gRPC call on one HTTP/2 stream: the core's ``ClientCallStream``.
///
/// The protocol's rules live in ``ClientStreamStateMachine``; this class feeds it events, performs what
/// it returns with the connection's nghttp2 session, and holds the bytes and the final status.
///
/// `@unchecked Sendable` for the same reason as the server's stream: its mutable state is touched only
/// on `eventLoop` (asserted), and methods called from the caller's task hop onto the loop first.
final class ClientStream: ClientCallStream, @unchecked Sendable {
    var id: Int32 = -1
    let method: MethodDescriptor
    let allocator: ByteBufferAllocator
    let requestEncoding: MessageEncoding?
    let eventLoop: any EventLoop
    private let connection: ClientConnectionHandler

    private var state = ClientStreamStateMachine()

    // Inbound.
    private var head = ResponseHead()
    private var headers = Metadata()
    /// Whether response headers arrived (not a Trailers-Only answer or a failure before one).
    private var headersArrived = false
    private var deframer: MessageDeframer
    private var messages = CompactQueue<(bytes: ByteBuffer, compressed: Bool)>()
    /// Read from the caller's task, written on the loop: atomic so any thread may read it.
    private let lastTakenWasCompressed = Atomic<Bool>(false)
    private var unconsumedBytes = 0
    /// The final status, once the state machine has ended the call.
    private var status: (Status, Metadata)?
    private var headersWaiters: [StreamContinuation<Metadata>] = []
    private var receiver: StreamContinuation<Result<ByteBuffer?, RPCError>>?
    private var statusWaiters: [StreamContinuation<(Status, Metadata)>] = []

    // Outbound.
    private var outbound: OutboundQueue

    var deadlineTimer: Scheduled<Void>?

    init(
        method: MethodDescriptor,
        options: CallOptions,
        connection: ClientConnectionHandler,
        highWaterMark: Int,
        eventLoop: any EventLoop,
        allocator: ByteBufferAllocator
    ) {
        self.method = method
        self.requestEncoding = options.compression == .identity ? nil : options.compression
        self.deframer = MessageDeframer(maxMessageSize: options.maxResponseMessageSize)
        self.connection = connection
        self.outbound = OutboundQueue(highWaterMark: highWaterMark)
        self.eventLoop = eventLoop
        self.allocator = allocator
    }

    // MARK: Events from the connection (on the loop)

    func receivedHeader(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        head.add(name: name, value: value)
        return head.listSize <= connection.maxHeaderListSize
    }

    /// A header block is complete: the response headers first, then the trailers.
    func headerBlockEnded(endStream: Bool) {
        eventLoop.assertInEventLoop()
        let block = head
        head = ResponseHead()
        switch state.receiveHeaderBlock(endStream: endStream, isHTTPError: block.httpError != nil) {
        case .finishAndReset:
            complete(with: block.httpError!, trailers: block.metadata)
            connection.reset(self, errorCode: HTTP2ErrorCode.cancel)
        case .finishTrailersOnly, .finishWithTrailers:
            complete(with: block.status, trailers: block.metadata)
        case .deliverHeaders:
            if let name = block.encodingName {
                guard let encoding = MessageEncoding(name: name.utf8) else {
                    fail(Status(code: .internal, message: "Server used unsupported message compression '\(name)'."))
                    return
                }
                deframer.encoding = encoding
            }
            headersArrived = true
            resolveHeaders(block.metadata)
        case .ignore:
            break
        }
    }

    func received(_ bytes: ByteBuffer) {
        eventLoop.assertInEventLoop()
        guard state.receiveData() else {
            connection.consume(streamID: id, count: bytes.readableBytes)
            return
        }
        deframer.append(bytes)
        unconsumedBytes += bytes.readableBytes
        do {
            while let message = try deframer.next() { messages.append((message, deframer.lastMessageWasCompressed)) }
        } catch {
            fail(error.status)
            return
        }
        releaseFlowControlIfDrained()
        wakeReceiver()
    }

    func didClose(errorCode: UInt32) {
        eventLoop.assertInEventLoop()
        if state.streamClosed() {
            complete(with: Self.status(forReset: errorCode), trailers: [:])
        }
        outbound.fail(RPCError(code: .unavailable, message: "The stream has closed."))
    }

    /// The status of a call whose stream closed before its trailers arrived.
    static func status(forReset errorCode: UInt32) -> Status {
        switch errorCode {
        case HTTP2ErrorCode.noError:
            Status(code: .internal, message: "Server closed the stream without sending trailers.")
        case HTTP2ErrorCode.refusedStream:
            Status(code: .unavailable, message: "Server refused the stream.")
        case HTTP2ErrorCode.cancel:
            Status(code: .cancelled, message: "Stream cancelled.")
        case HTTP2ErrorCode.enhanceYourCalm:
            Status(code: .resourceExhausted, message: "Server sent ENHANCE_YOUR_CALM.")
        default:
            Status(code: .internal, message: "Stream reset with HTTP/2 error code \(errorCode).")
        }
    }

    /// The connection went away before or while the call ran.
    func connectionLost(_ status: Status) {
        if state.streamClosed() { complete(with: status, trailers: [:]) }
        outbound.fail(RPCError(code: .unavailable, message: "The stream has closed."))
    }

    func deadlineExpired() {
        deadlineTimer = nil
        fail(Status(code: .deadlineExceeded, message: "Deadline exceeded"))
    }

    func readData(into buffer: UnsafeMutableRawBufferPointer) -> DataSourceResult {
        let written = outbound.read(into: buffer)
        switch state.readData(queueIsEmpty: outbound.isEmpty, bytesCopied: written) {
        case .send: return .bytes(written)
        case .sendAndEndStream: return .endOfStream(written)
        case .deferData: return .deferred
        }
    }

    // MARK: ClientCallStream (called from the caller's task)

    func send(framed message: ByteBuffer) async throws(RPCError) {
        let result: Result<Void, RPCError> = await withStreamContinuation { continuation in
            onLoop {
                switch self.state.sendMessage() {
                case .enqueue(let wake):
                    self.outbound.append(message)
                    self.perform(wake)
                case .rejectCallEnded:
                    let status = self.status?.0 ?? Status(code: .unavailable, message: "The call has ended.")
                    continuation.resume(
                        returning: .failure(
                            RPCError(code: status.code == .ok ? .unavailable : status.code, message: status.message)
                        )
                    )
                    return
                case .rejectRequestClosed:
                    continuation.resume(
                        returning: .failure(RPCError(code: .internal, message: "Request stream already closed."))
                    )
                    return
                }
                if self.outbound.isOverHighWaterMark {
                    self.outbound.wait(continuation)
                } else {
                    continuation.resume(returning: .success(()))
                }
            }
        }
        try result.get()
    }

    func closeSend() {
        onLoop {
            if let wake = self.state.closeRequest() { self.perform(wake) }
        }
    }

    // The receiving methods answer at once, without a continuation, when the caller's task runs on this
    // stream's loop and what it asks for has arrived: a unary answer's headers, message and trailers usually
    // come in one read, so only the first of the three waits.

    func receiveHeaders() async throws(RPCError) -> Metadata {
        if eventLoop.inEventLoop, state.response != .awaitingHeaders { return headers }
        return await withStreamContinuation { continuation in
            onLoop {
                if self.state.response != .awaitingHeaders {
                    continuation.resume(returning: self.headers)
                } else {
                    self.headersWaiters.append(continuation)
                }
            }
        }
    }

    func receivedResponseHeaders() async -> Bool {
        _ = try? await receiveHeaders()
        if eventLoop.inEventLoop { return headersArrived }
        return await withStreamContinuation { continuation in
            onLoop { continuation.resume(returning: self.headersArrived) }
        }
    }

    func receive() async throws(RPCError) -> ByteBuffer? {
        if eventLoop.inEventLoop, let result = takeMessage() { return try result.get() }
        let result: Result<ByteBuffer?, RPCError> = await withStreamContinuation { continuation in
            onLoop {
                if let result = self.takeMessage() {
                    continuation.resume(returning: result)
                } else {
                    self.receiver = continuation
                }
            }
        }
        return try result.get()
    }

    func receiveStatus() async -> (Status, Metadata) {
        if eventLoop.inEventLoop, let status { return status }
        return await withStreamContinuation { continuation in
            onLoop {
                if let status = self.status {
                    continuation.resume(returning: status)
                } else {
                    self.statusWaiters.append(continuation)
                }
            }
        }
    }

    func cancel() {
        onLoop {
            self.fail(Status(code: .cancelled, message: "The call was cancelled by the client."))
        }
    }

    // MARK: Internals (on the loop)

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if eventLoop.inEventLoop { body() } else { eventLoop.execute(body) }
    }

    /// Ends the call locally with `status` and resets the stream so the server stops too.
    private func fail(_ status: Status) {
        guard state.fail() else { return }
        complete(with: status, trailers: [:])
        connection.reset(self, errorCode: HTTP2ErrorCode.cancel)
    }

    /// Records the final status the state machine has just decided and wakes everyone waiting.
    private func complete(with status: Status, trailers: Metadata) {
        self.status = (status, trailers)
        deadlineTimer?.cancel()
        deadlineTimer = nil
        if status.code != .ok {
            // Messages that arrived before an error are not delivered: the call failed.
            messages.removeAll()
        }
        resolveHeaders(headers)
        wakeReceiver()
        let waiters = statusWaiters
        statusWaiters.removeAll()
        for waiter in waiters { waiter.resume(returning: (status, trailers)) }
        outbound.fail(
            status.code == .ok
                ? RPCError(code: .unavailable, message: "The call has already ended.")
                : RPCError(status: status, metadata: trailers)
        )
    }

    var lastReceivedMessageWasCompressed: Bool {
        lastTakenWasCompressed.load(ordering: .relaxed)
    }

    private func resolveHeaders(_ metadata: Metadata) {
        headers = metadata
        let waiters = headersWaiters
        headersWaiters.removeAll()
        for waiter in waiters { waiter.resume(returning: metadata) }
    }

    private func takeMessage() -> Result<ByteBuffer?, RPCError>? {
        if let message = messages.popFirst() {
            lastTakenWasCompressed.store(message.compressed, ordering: .relaxed)
            releaseFlowControlIfDrained()
            return .success(message.bytes)
        }
        if let (status, trailers) = status {
            return status.code == .ok ? .success(nil) : .failure(RPCError(status: status, metadata: trailers))
        }
        return nil
    }

    private func wakeReceiver() {
        guard let receiver, let result = takeMessage() else { return }
        self.receiver = nil
        receiver.resume(returning: result)
    }

    private func releaseFlowControlIfDrained() {
        guard messages.count < 2, unconsumedBytes > 0, id > 0 else { return }
        connection.consume(streamID: id, count: unconsumedBytes)
        unconsumedBytes = 0
    }

    private func perform(_ wake: ClientStreamStateMachine.DataWake) {
        switch wake {
        case .resumeData: connection.resumeData(streamID: id)
        case .flush: connection.scheduleFlush()
        }
    }
}
