import NIOCore
import RPCCore
import Synchronization

/// One gRPC call on one HTTP/2 stream, server side: the core's ``ServerCallStream``.
///
/// The protocol's rules live in ``ServerStreamStateMachine``; this class feeds it events and performs
/// what it returns with the connection's nghttp2 session, and holds the bytes (messages both ways).
///
/// `@unchecked Sendable` because the call's task holds it while the connection does too: every piece
/// of mutable state is touched only on `eventLoop` (asserted), and each method called from the task
/// hops onto the loop when it is not already there, which with the call's task running on its
/// connection's loop is the rare case.
final class ServerStream: ServerCallStream, @unchecked Sendable {
    let id: Int32
    let serverMethod: ServerMethod
    var method: MethodDescriptor { serverMethod.descriptor }
    let requestMetadata: Metadata
    let deadline: NIODeadline?
    let peer: String
    let acceptedResponseEncodings: [MessageEncoding]
    let allocator: ByteBufferAllocator
    let eventLoop: any EventLoop
    private let contentType: String
    private let connection: ServerConnectionHandler

    // Inbound.
    private var state = ServerStreamStateMachine()
    private var deframer: MessageDeframer
    private var messages = CompactQueue<(bytes: ByteBuffer, compressed: Bool)>()
    /// Read from the call's task, written on the loop: atomic so any thread may read it.
    private let lastTakenWasCompressed = Atomic<Bool>(false)
    private var requestError: RPCError?
    private var receiver: StreamContinuation<Result<ByteBuffer?, RPCError>>?
    /// DATA bytes received but not yet released to nghttp2's flow control.
    private var unconsumedBytes = 0

    // Outbound.
    private var outbound: OutboundQueue
    /// The trailers of a call whose status is decided, until the queued messages ahead of them are out.
    private var pendingTrailers: HeaderList?

    // Lifetime.
    /// Whether the HTTP/2 stream is gone.
    var closed: Bool { state.isStreamClosed }
    /// Whether the call has a final status already (its handler need not, or must not, start).
    var hasFinished: Bool { state.hasFinished }
    var task: Task<Void, Never>?
    var deadlineTimer: Scheduled<Void>?

    init(
        id: Int32,
        serverMethod: ServerMethod,
        head: RequestHead,
        requestEncoding: MessageEncoding?,
        peer: String,
        connection: ServerConnectionHandler,
        configuration: ServerConfiguration,
        eventLoop: any EventLoop,
        allocator: ByteBufferAllocator
    ) {
        self.id = id
        self.serverMethod = serverMethod
        self.requestMetadata = head.metadataReader.metadata
        self.deadline = head.timeout.map { NIODeadline.now() + .nanoseconds($0) }
        self.peer = peer
        self.acceptedResponseEncodings = head.acceptEncoding
        self.contentType = head.contentType ?? "application/grpc"
        self.connection = connection
        self.outbound = OutboundQueue(highWaterMark: configuration.streamWriteHighWaterMark)
        self.deframer = MessageDeframer(maxMessageSize: configuration.maxReceiveMessageSize, encoding: requestEncoding)
        self.eventLoop = eventLoop
        self.allocator = allocator
    }

    /// Whether the call's handler may start: streaming-request calls start at once, the others once
    /// their single request has arrived whole, so their task never waits for it.
    var isReadyToStart: Bool {
        state.isReadyToStart(clientStreams: method.kind.clientStreams)
    }

    // MARK: Events from the connection (on the loop)

    /// A DATA payload arrived. Complete messages queue for the handler; the bytes are released to flow
    /// control at once unless messages are piling up unread, in which case they wait for the handler.
    func received(_ bytes: ByteBuffer) {
        eventLoop.assertInEventLoop()
        guard state.receive() == .deliver else {
            connection.consume(streamID: id, count: bytes.readableBytes)
            return
        }
        deframer.append(bytes)
        unconsumedBytes += bytes.readableBytes
        do {
            while let message = try deframer.next() {
                messages.append((message, deframer.lastMessageWasCompressed))
            }
        } catch {
            fail(error)
        }
        releaseFlowControlIfDrained()
        wakeReceiver()
    }

    func requestDidEnd() {
        eventLoop.assertInEventLoop()
        if state.receiveEndOfRequest() {
            do {
                try deframer.finish()
            } catch {
                fail(error)
            }
        }
        wakeReceiver()
    }

    /// The stream is gone from nghttp2: cancel the handler if it is still running.
    func didClose(errorCode: UInt32) {
        eventLoop.assertInEventLoop()
        deadlineTimer?.cancel()
        deadlineTimer = nil
        if state.streamClosed() {
            task?.cancel()
        }
        // Made only for a task that waits: most streams close after their call has ended.
        func error() -> RPCError {
            RPCError(code: .cancelled, message: "The client cancelled the call (HTTP/2 error \(errorCode)).")
        }
        if let receiver {
            self.receiver = nil
            receiver.resume(returning: .failure(error()))
        }
        outbound.fail(error())
    }

    func deadlineExpired() {
        eventLoop.assertInEventLoop()
        deadlineTimer = nil
        let action = state.deadlineExpired()
        guard action != .none else { return }
        perform(action, status: Status(code: .deadlineExceeded, message: "Deadline exceeded"), trailers: [:])
        task?.cancel()
    }

    /// nghttp2 pulls response DATA: copy queued message bytes; once the queue is empty and the call has
    /// its status, end the data (without END_STREAM) and submit the trailers in its place.
    func readData(into buffer: UnsafeMutableRawBufferPointer) -> DataSourceResult {
        let written = outbound.read(into: buffer)
        switch state.readData(queueIsEmpty: outbound.isEmpty, bytesCopied: written) {
        case .send:
            return .bytes(written)
        case .sendThenTrailers:
            if let trailers = pendingTrailers {
                pendingTrailers = nil
                connection.submitTrailers(streamID: id, headers: trailers)
            }
            return .endOfDataBeforeTrailers(written)
        case .deferData:
            return .deferred
        }
    }

    // MARK: ServerCallStream (called from the call's task)

    // Each method has a fast path for the usual case, the call's task running on this stream's loop:
    // no closure, no continuation, no hop. Otherwise it hops onto the loop.

    func receive() async throws(RPCError) -> ByteBuffer? {
        if eventLoop.inEventLoop, let result = takeMessage() {
            return try result.get()
        }
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

    func receiveIfReady() throws(RPCError) -> ReadyRequest {
        guard eventLoop.inEventLoop, let result = takeMessage() else { return .notReady }
        return try result.get().map(ReadyRequest.message) ?? .end
    }

    var lastReceivedMessageWasCompressed: Bool {
        lastTakenWasCompressed.load(ordering: .relaxed)
    }

    func sendHeaders(_ metadata: Metadata, encoding: MessageEncoding?) {
        if eventLoop.inEventLoop {
            sendHeadersOnLoop(metadata, encoding: encoding)
        } else {
            eventLoop.execute { self.sendHeadersOnLoop(metadata, encoding: encoding) }
        }
    }

    func send(framed message: ByteBuffer) async throws(RPCError) {
        if eventLoop.inEventLoop {
            try enqueue(message)
            guard outbound.isOverHighWaterMark else { return }
            let result: Result<Void, RPCError> = await withStreamContinuation { outbound.wait($0) }
            return try result.get()
        }
        let result: Result<Void, RPCError> = await withStreamContinuation { continuation in
            eventLoop.execute {
                do throws(RPCError) {
                    try self.enqueue(message)
                } catch {
                    continuation.resume(returning: .failure(error))
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

    func finish(status: Status, trailers: Metadata) {
        if eventLoop.inEventLoop {
            finishOnLoop(status: status, trailers: trailers)
        } else {
            eventLoop.execute { self.finishOnLoop(status: status, trailers: trailers) }
        }
    }

    // MARK: Internals (on the loop)

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if eventLoop.inEventLoop {
            body()
        } else {
            eventLoop.execute(body)
        }
    }

    /// Queues a framed message for nghttp2 to pull, sending the headers first if they have not gone.
    private func enqueue(_ message: ByteBuffer) throws(RPCError) {
        eventLoop.assertInEventLoop()
        switch state.sendMessage() {
        case .enqueue(let headersFirst, let wake):
            if headersFirst { submitHeaders([:], encoding: nil) }
            outbound.append(message)
            perform(wake)
        case .rejectCallEnded:
            throw RPCError(code: .cancelled, message: "The call has ended.")
        }
    }

    private func takeMessage() -> Result<ByteBuffer?, RPCError>? {
        if let message = messages.popFirst() {
            lastTakenWasCompressed.store(message.compressed, ordering: .relaxed)
            releaseFlowControlIfDrained()
            return .success(message.bytes)
        }
        if let requestError { return .failure(requestError) }
        if state.isStreamClosed { return .failure(RPCError(code: .cancelled, message: "The call was cancelled.")) }
        if state.request == .ended { return .success(nil) }
        return nil
    }

    private func wakeReceiver() {
        guard let receiver, let result = takeMessage() else { return }
        self.receiver = nil
        receiver.resume(returning: result)
    }

    /// Releases received bytes to flow control once fewer than two messages wait unread.
    private func releaseFlowControlIfDrained() {
        guard messages.count < 2, unconsumedBytes > 0 else { return }
        connection.consume(streamID: id, count: unconsumedBytes)
        unconsumedBytes = 0
    }

    /// A malformed or oversized request: end the call with the error's status at once.
    private func fail(_ error: RPCError) {
        requestError = error
        messages.removeAll()
        if unconsumedBytes > 0 {
            connection.consume(streamID: id, count: unconsumedBytes)
            unconsumedBytes = 0
        }
        perform(state.requestFailed(), status: error.status, trailers: error.metadata)
        task?.cancel()
    }

    private func sendHeadersOnLoop(_ metadata: Metadata, encoding: MessageEncoding?) {
        if state.sendHeaders() { submitHeaders(metadata, encoding: encoding) }
    }

    private func submitHeaders(_ metadata: Metadata, encoding: MessageEncoding?) {
        if metadata.isEmpty && encoding == nil && contentType == RequestHead.grpcContentType {
            connection.submitResponse(streamID: id, headers: PrebuiltHeaders.plainResponse, hasBody: true)
            return
        }
        var headers = HeaderList()
        headers.add(":status", "200")
        headers.add("content-type", contentType)
        if let encoding { headers.add("grpc-encoding", encoding.name) }
        headers.add("grpc-accept-encoding", MessageEncoding.acceptEncodingHeader)
        headers.add(metadata: metadata)
        connection.submitResponse(streamID: id, headers: headers, hasBody: true)
    }

    private func finishOnLoop(status: Status, trailers: Metadata) {
        perform(state.finish(), status: status, trailers: trailers)
    }

    /// Sends the final status in the shape the state machine chose.
    private func perform(_ action: ServerStreamStateMachine.FinishAction, status: Status, trailers: Metadata) {
        deadlineTimer?.cancel()
        deadlineTimer = nil
        switch action {
        case .none:
            return
        case .sendTrailers(let wake):
            if status == .ok && trailers.isEmpty {
                pendingTrailers = PrebuiltHeaders.okTrailers
            } else {
                var list = HeaderList()
                list.add(status: status, trailers: trailers)
                pendingTrailers = list
            }
            perform(wake)
        case .sendTrailersOnly:
            // Trailers-Only: one HEADERS frame with END_STREAM carries the status.
            var list = HeaderList()
            list.add(":status", "200")
            list.add("content-type", contentType)
            list.add(status: status, trailers: trailers)
            connection.submitResponse(streamID: id, headers: list, hasBody: false)
        }
        if let receiver {
            self.receiver = nil
            receiver.resume(returning: .failure(RPCError(code: status.code, message: status.message)))
        }
    }

    private func perform(_ wake: ServerStreamStateMachine.DataWake) {
        switch wake {
        case .resumeData: connection.resumeData(streamID: id)
        case .flush: connection.scheduleFlush()
        }
    }
}
