internal import CNGHTTP2
import NIOCore
import RPCCore
import Synchronization

/// One outgoing gRPC call on one HTTP/2 stream: the core's ``ClientCallStream``.
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

    // Inbound.
    private var head = ResponseHead()
    private var headersReceived = false
    private var headers = Metadata()
    private var deframer: MessageDeframer
    private var messages = CompactQueue<(bytes: ByteBuffer, compressed: Bool)>()
    /// Read from the caller's task, written on the loop: atomic so any thread may read it.
    private let lastTakenWasCompressed = Atomic<Bool>(false)
    private var unconsumedBytes = 0
    private var status: (Status, Metadata)?
    private var headersWaiters: [CheckedContinuation<Metadata, Never>] = []
    private var receiver: CheckedContinuation<Result<ByteBuffer?, RPCError>, Never>?
    private var statusWaiters: [CheckedContinuation<(Status, Metadata), Never>] = []

    // Outbound.
    private var outbound: OutboundQueue
    private var sendClosed = false
    private var dataDeferred = false

    private(set) var closed = false
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
        if !headersReceived {
            headersReceived = true
            if let error = block.httpError {
                complete(with: error, trailers: block.metadata)
                connection.reset(self, errorCode: HTTP2ErrorCode.cancel)
                return
            }
            if endStream {
                // Trailers-Only: the one block carries the status.
                resolveHeaders([:])
                complete(with: block.status, trailers: block.metadata)
                return
            }
            if let name = block.encodingName {
                guard let encoding = MessageEncoding(name: name.utf8) else {
                    fail(Status(code: .internal, message: "Server used unsupported message compression '\(name)'."))
                    return
                }
                deframer.encoding = encoding
            }
            resolveHeaders(block.metadata)
        } else {
            complete(with: block.status, trailers: block.metadata)
        }
    }

    func received(_ bytes: ByteBuffer) {
        eventLoop.assertInEventLoop()
        guard status == nil else {
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
        closed = true
        deadlineTimer?.cancel()
        deadlineTimer = nil
        if status == nil {
            let status: Status
            switch errorCode {
            case HTTP2ErrorCode.noError:
                status = Status(code: .internal, message: "Server closed the stream without sending trailers.")
            case HTTP2ErrorCode.refusedStream:
                status = Status(code: .unavailable, message: "Server refused the stream.")
            case HTTP2ErrorCode.cancel:
                status = Status(code: .cancelled, message: "Stream cancelled.")
            case HTTP2ErrorCode.enhanceYourCalm:
                status = Status(code: .resourceExhausted, message: "Server sent ENHANCE_YOUR_CALM.")
            default:
                status = Status(code: .internal, message: "Stream reset with HTTP/2 error code \(errorCode).")
            }
            complete(with: status, trailers: [:])
        }
        outbound.fail(RPCError(code: .unavailable, message: "The stream has closed."))
    }

    /// The connection went away before or while the call ran.
    func connectionLost(_ status: Status) {
        if self.status == nil { complete(with: status, trailers: [:]) }
        didClose(errorCode: HTTP2ErrorCode.cancel)
    }

    func deadlineExpired() {
        deadlineTimer = nil
        fail(Status(code: .deadlineExceeded, message: "Deadline exceeded"))
    }

    func readData(into buffer: UnsafeMutableRawBufferPointer, flags: inout UInt32) -> Int? {
        let written = outbound.read(into: buffer)
        if outbound.isEmpty && sendClosed {
            flags |= NGHTTP2_DATA_FLAG_EOF.rawValue
            return written
        }
        if written == 0 {
            dataDeferred = true
            return nil
        }
        return written
    }

    // MARK: ClientCallStream (called from the caller's task)

    func send(framed message: ByteBuffer) async throws(RPCError) {
        let result: Result<Void, RPCError> = await withCheckedContinuation { continuation in
            onLoop {
                if let (status, _) = self.status {
                    continuation.resume(
                        returning: .failure(
                            RPCError(code: status.code == .ok ? .unavailable : status.code, message: status.message)
                        )
                    )
                    return
                }
                guard !self.sendClosed else {
                    continuation.resume(
                        returning: .failure(RPCError(code: .internal, message: "Request stream already closed."))
                    )
                    return
                }
                self.outbound.append(message)
                self.resumeData()
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
            guard !self.sendClosed else { return }
            self.sendClosed = true
            if self.status == nil { self.resumeData() }
        }
    }

    func receiveHeaders() async throws(RPCError) -> Metadata {
        await withCheckedContinuation { continuation in
            onLoop {
                if self.headersReceived || self.status != nil {
                    continuation.resume(returning: self.headers)
                } else {
                    self.headersWaiters.append(continuation)
                }
            }
        }
    }

    func receive() async throws(RPCError) -> ByteBuffer? {
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

    func receiveStatus() async -> (Status, Metadata) {
        await withCheckedContinuation { continuation in
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
            guard self.status == nil else { return }
            self.fail(Status(code: .cancelled, message: "The call was cancelled by the client."))
        }
    }

    // MARK: Internals (on the loop)

    private func onLoop(_ body: @escaping @Sendable () -> Void) {
        if eventLoop.inEventLoop { body() } else { eventLoop.execute(body) }
    }

    /// Ends the call locally with `status` and resets the stream so the server stops too.
    private func fail(_ status: Status) {
        guard self.status == nil else { return }
        complete(with: status, trailers: [:])
        if !closed { connection.reset(self, errorCode: HTTP2ErrorCode.cancel) }
    }

    private func complete(with status: Status, trailers: Metadata) {
        guard self.status == nil else { return }
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

    private func resumeData() {
        if dataDeferred {
            dataDeferred = false
            connection.resumeData(streamID: id)
        } else {
            connection.scheduleFlush()
        }
    }
}
