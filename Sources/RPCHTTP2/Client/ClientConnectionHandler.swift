import Logging
import NIOCore
import RPCCore

/// One client connection: owns its nghttp2 client session and the calls multiplexed over it.
final class ClientConnectionHandler: ChannelInboundHandler, NGHTTP2SessionDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let configuration: ClientConfiguration
    private let authority: String
    private let logger: Logger
    private var session: NGHTTP2Session!
    private var keepalive: KeepaliveTimer?
    private var context: ChannelHandlerContext!
    private var streams: [Int32: ClientStream] = [:]
    private var inReadBurst = false
    private var flushScheduled = false
    private var closing = false
    /// Set once the server sent GOAWAY or the connection failed: no new calls go here.
    private(set) var isAcceptingCalls = true
    /// Called (on the loop) when this connection stops taking new calls.
    var onUnusable: (@Sendable () -> Void)?

    var maxHeaderListSize: Int { Int(configuration.maxHeaderListSize) }

    init(configuration: ClientConfiguration, logger: Logger) {
        self.configuration = configuration
        self.authority = "\(configuration.host):\(configuration.port)"
        self.logger = logger
    }

    // MARK: Starting calls (on the loop)

    /// Submits the request headers of a new call and registers its stream.
    func start(
        _ stream: ClientStream,
        metadata: Metadata,
        deadline: NIODeadline?
    ) throws(RPCError) {
        context.eventLoop.assertInEventLoop()
        guard isAcceptingCalls, session != nil else {
            throw RPCError(code: .unavailable, message: "Connection to \(authority) is closing.")
        }
        var headers = HeaderList(capacity: 8 + metadata.count)
        headers.add(":method", "POST")
        headers.add(":scheme", "http")
        headers.add(":path", stream.method.path)
        headers.add(":authority", authority)
        headers.add("content-type", "application/grpc")
        headers.add("te", "trailers")
        headers.add("user-agent", "grpc-swift-isid/0.1")
        if let deadline {
            headers.add("grpc-timeout", GRPCTimeout.format(nanoseconds: (deadline - .now()).nanoseconds))
        }
        if let encoding = stream.requestEncoding { headers.add("grpc-encoding", encoding.name) }
        headers.add("grpc-accept-encoding", MessageEncoding.acceptEncodingHeader)
        headers.add(metadata: metadata)
        do {
            stream.id = try session.submitRequest(headers: headers)
        } catch {
            throw RPCError(code: .unavailable, message: "Could not start a stream: \(error)")
        }
        streams[stream.id] = stream
        if let deadline {
            stream.deadlineTimer = context.eventLoop.scheduleTask(deadline: deadline) { [stream] in
                stream.deadlineExpired()
            }
        }
        scheduleFlush()
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.session = NGHTTP2Session(role: .client, delegate: self, allocator: context.channel.allocator)
        if let policy = configuration.keepalive {
            let timer = KeepaliveTimer(policy: policy, eventLoop: context.eventLoop)
            timer.start(
                sendPing: { [unowned self] payload in
                    self.session?.submitPing(opaqueData: payload)
                    self.scheduleFlush()
                },
                onTimeout: { [unowned self] in
                    self.logger.info("Keepalive PING unanswered; closing connection")
                    self.context?.close(promise: nil)
                }
            )
            keepalive = timer
        }
        do {
            try session.submitSettings(
                .init(
                    maxConcurrentStreams: 100,
                    initialWindowSize: configuration.initialStreamWindowSize,
                    maxHeaderListSize: configuration.maxHeaderListSize,
                    maxFrameSize: 16_384,
                    connectionWindowSize: configuration.connectionWindowSize
                )
            )
        } catch {
            context.close(promise: nil)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        flush()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepalive?.stop()
        markUnusable()
        let open = streams
        streams.removeAll()
        for stream in open.values {
            stream.connectionLost(Status(code: .unavailable, message: "Connection to \(authority) was lost."))
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inReadBurst = true
        do {
            try session.receive(unwrapInboundIn(data))
        } catch {
            logger.debug("HTTP/2 session error; closing", metadata: ["error": "\(error)"])
            closing = true
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        flush()
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { flush() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("Client connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: NGHTTP2SessionDelegate

    func sessionBeginHeaders(streamID: Int32, isRequest: Bool) -> Bool { true }

    func sessionHeader(streamID: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        streams[streamID]?.receivedHeader(name: name, value: value) ?? true
    }

    func sessionFrameReceived(_ frame: ReceivedFrame) {
        switch frame.kind {
        case .headers:
            streams[frame.streamID]?.headerBlockEnded(endStream: frame.endStream)
        case .goAway:
            markUnusable()
        case .pingAck(let payload):
            keepalive?.acknowledged(payload)
        case .data, .other:
            break
        }
    }

    func sessionData(streamID: Int32, bytes: ByteBuffer) {
        if let stream = streams[streamID] {
            stream.received(bytes)
        } else {
            consume(streamID: streamID, count: bytes.readableBytes)
        }
    }

    func sessionStreamClosed(streamID: Int32, errorCode: UInt32) {
        streams.removeValue(forKey: streamID)?.didClose(errorCode: errorCode)
        if !isAcceptingCalls && streams.isEmpty {
            closing = true
        }
    }

    func sessionEndedStreamBeforePeer(streamID: Int32) {}

    func sessionReadData(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> DataSourceResult {
        guard let stream = streams[streamID] else { return .endOfStream(0) }
        return stream.readData(into: buffer)
    }

    // MARK: Used by streams (on the loop)

    func reset(_ stream: ClientStream, errorCode: UInt32) {
        guard stream.id > 0, session != nil else { return }
        session.submitReset(streamID: stream.id, errorCode: errorCode)
        scheduleFlush()
    }

    func resumeData(streamID: Int32) {
        guard streamID > 0, session != nil else { return }
        session.resumeData(streamID: streamID)
        scheduleFlush()
    }

    func consume(streamID: Int32, count: Int) {
        guard session != nil else { return }
        session.consume(streamID: streamID, count: count)
        scheduleFlush()
    }

    func scheduleFlush() {
        guard !inReadBurst, !flushScheduled, let context else { return }
        flushScheduled = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            bound.value.flushScheduled = false
            bound.value.flush()
        }
    }

    func close() {
        markUnusable()
        context?.close(promise: nil)
    }

    // MARK: Output

    private func flush() {
        guard let context, session != nil else { return }
        if context.channel.isWritable {
            var output = context.channel.allocator.buffer(capacity: 0)
            do {
                try session.drainOutput(into: &output)
            } catch {
                closing = true
            }
            if output.readableBytes > 0 {
                context.writeAndFlush(wrapOutboundOut(output), promise: nil)
            }
        }
        if closing || (!session.wantsRead && !session.wantsWrite) {
            markUnusable()
            context.close(promise: nil)
        }
    }

    private func markUnusable() {
        guard isAcceptingCalls else { return }
        isAcceptingCalls = false
        onUnusable?()
    }
}
