internal import CNGHTTP2
import NIOCore
import RPCCore
import Synchronization

/// One gRPC call on one HTTP/2 stream, server side: the core's ``ServerCallStream``.
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
    private var deframer: MessageDeframer
    private var messages = CompactQueue<(bytes: ByteBuffer, compressed: Bool)>()
    /// Read from the call's task, written on the loop: atomic so any thread may read it.
    private let lastTakenWasCompressed = Atomic<Bool>(false)
    private var requestEnded = false
    private var requestError: RPCError?
    private var receiver: CheckedContinuation<Result<ByteBuffer?, RPCError>, Never>?
    /// DATA bytes received but not yet released to nghttp2's flow control.
    private var unconsumedBytes = 0

    // Outbound.
    private var headersSent = false
    private var outbound: OutboundQueue
    private var pendingTrailers: HeaderList?
    private var finished = false
    private var dataDeferred = false

    // Lifetime.
    private(set) var closed = false
    /// Whether the call has a final status already (its handler need not, or must not, start).
    var hasFinished: Bool { finished }
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
        method.kind.clientStreams || requestEnded || requestError != nil
    }

    // MARK: Events from the connection (on the loop)

    /// A DATA payload arrived. Complete messages queue for the handler; the bytes are released to flow
    /// control at once unless messages are piling up unread, in which case they wait for the handler.
    func received(_ bytes: ByteBuffer) {
        eventLoop.assertInEventLoop()
        guard requestError == nil, !finished else {
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
        requestEnded = true
        do {
            try deframer.finish()
        } catch {
            fail(error)
        }
        wakeReceiver()
    }

    /// The stream is gone from nghttp2: cancel the handler if it is still running.
    func didClose(errorCode: UInt32) {
        eventLoop.assertInEventLoop()
        closed = true
        deadlineTimer?.cancel()
        deadlineTimer = nil
        if !finished {
            finished = true
            task?.cancel()
        }
        let error = RPCError(code: .cancelled, message: "The client cancelled the call (HTTP/2 error \(errorCode)).")
        if let receiver {
            self.receiver = nil
            receiver.resume(returning: .failure(error))
        }
        outbound.fail(error)
    }

    func deadlineExpired() {
        eventLoop.assertInEventLoop()
        deadlineTimer = nil
        guard !finished else { return }
        finishOnLoop(status: Status(code: .deadlineExceeded, message: "Deadline exceeded"), trailers: [:])
        task?.cancel()
    }

    /// nghttp2 pulls response DATA: copy queued message bytes; once the queue is empty and the call has
    /// finished, mark the end of data (without END_STREAM) and submit the trailers in its place.
    func readData(into buffer: UnsafeMutableRawBufferPointer, flags: inout UInt32) -> Int? {
        let written = outbound.read(into: buffer)
        if outbound.isEmpty, let trailers = pendingTrailers {
            pendingTrailers = nil
            flags |= NGHTTP2_DATA_FLAG_EOF.rawValue | NGHTTP2_DATA_FLAG_NO_END_STREAM.rawValue
            connection.submitTrailers(streamID: id, headers: trailers)
            return written
        }
        if written == 0 {
            dataDeferred = true
            return nil
        }
        return written
    }

    // MARK: ServerCallStream (called from the call's task)

    // Each method has a fast path for the usual case, the call's task running on this stream's loop:
    // no closure, no continuation, no hop. Otherwise it hops onto the loop.

    func receive() async throws(RPCError) -> ByteBuffer? {
        if eventLoop.inEventLoop, let result = takeMessage() {
            return try result.get()
        }
        let result: Result<ByteBuffer?, RPCError> = await withCheckedContinuation { continuation in
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
            let result: Result<Void, RPCError> = await withCheckedContinuation { outbound.wait($0) }
            return try result.get()
        }
        let result: Result<Void, RPCError> = await withCheckedContinuation { continuation in
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
        guard !finished else { throw RPCError(code: .cancelled, message: "The call has ended.") }
        if !headersSent { sendHeadersOnLoop([:], encoding: nil) }
        outbound.append(message)
        resumeDataIfDeferred()
    }

    private func takeMessage() -> Result<ByteBuffer?, RPCError>? {
        if let message = messages.popFirst() {
            lastTakenWasCompressed.store(message.compressed, ordering: .relaxed)
            releaseFlowControlIfDrained()
            return .success(message.bytes)
        }
        if let requestError { return .failure(requestError) }
        if closed { return .failure(RPCError(code: .cancelled, message: "The call was cancelled.")) }
        if requestEnded { return .success(nil) }
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
        finishOnLoop(status: error.status, trailers: error.metadata)
        task?.cancel()
    }

    private func sendHeadersOnLoop(_ metadata: Metadata, encoding: MessageEncoding?) {
        guard !headersSent, !finished else { return }
        headersSent = true
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
        guard !finished else { return }
        finished = true
        deadlineTimer?.cancel()
        deadlineTimer = nil
        guard !closed else { return }
        if headersSent {
            if status == .ok && trailers.isEmpty {
                pendingTrailers = PrebuiltHeaders.okTrailers
            } else {
                var list = HeaderList()
                list.add(status: status, trailers: trailers)
                pendingTrailers = list
            }
            resumeDataIfDeferred()
        } else {
            // Trailers-Only: one HEADERS frame with END_STREAM carries the status.
            headersSent = true
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

    private func resumeDataIfDeferred() {
        if dataDeferred {
            dataDeferred = false
            connection.resumeData(streamID: id)
        } else {
            connection.scheduleFlush()
        }
    }
}
