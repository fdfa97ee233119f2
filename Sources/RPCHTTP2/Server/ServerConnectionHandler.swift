import Logging
import NIOCore
import RPCCore

/// Serves gRPC on one accepted connection: owns its nghttp2 server session and its streams.
///
/// Everything here runs on the connection's event loop. Reads go straight from NIO's buffer into
/// nghttp2; the events its callbacks record are acted on after `mem_recv` returns; output is drained
/// and written once per read burst, or once per loop tick for what handlers produce in between.
final class ServerConnectionHandler: ChannelInboundHandler, NGHTTP2SessionDelegate {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let router: RPCRouter
    private let configuration: ServerConfiguration
    private let logger: Logger
    private var session: NGHTTP2Session!
    private var keepalive: KeepaliveTimer?
    private var context: ChannelHandlerContext!
    private var executor: EventLoopTaskExecutor!
    private var peer = "unknown"

    /// The request head being received. HTTP/2 forbids interleaving a header block with other frames
    /// (RFC 9113 §4.3), so one slot suffices and each field is added in place.
    private var head: RequestHead
    /// The stream whose head is in `head`, or 0 when no request head is being received.
    private var headStreamID: Int32 = 0
    private var streams: [Int32: ServerStream] = [:]
    /// Answers to refused requests, submitted after `mem_recv` returns.
    private var pendingRejections: [(streamID: Int32, headers: HeaderList, body: ByteBuffer?)] = []
    /// The plain-text bodies of answers to requests that are not gRPC, until nghttp2 has pulled them.
    private var rejectionBodies: [Int32: ByteBuffer] = [:]
    /// Request streams open now, counted here because we refuse those beyond the advertised
    /// SETTINGS_MAX_CONCURRENT_STREAMS ourselves (see `NGHTTP2Session.submitSettings`).
    private var openRequestStreams = 0
    /// Streams refused for that limit, until nghttp2 reports them closed (they are not counted as open).
    private var refusedStreams: Set<Int32> = []
    /// Streams whose handler may start, started after `mem_recv` returns.
    private var pendingStarts: [ServerStream] = []
    /// The starts being acted on: swapped with `pendingStarts`, so that neither array is copied (copying and
    /// then emptying the one array allocated a new buffer on every read).
    private var startsInHand: [ServerStream] = []
    /// Streams we ended while the client was still sending: each gets RST_STREAM(NO_ERROR) once the
    /// frame that ended them is out (PROTOCOL-HTTP2.md, "Early Server Closure").
    private var pendingEarlyCloseResets: [Int32] = []

    /// The buffer the last flush wrote, kept for the next one (see `flush`).
    private var outputBuffer: ByteBuffer?
    /// Bytes handed to the socket per write: a few frames, so one buffer serves every write.
    private static let writeChunkSize = 32 * 1024
    /// The largest buffer kept between flushes while calls are open (a chunk plus the frame that crossed
    /// its end fits), and once none are: an idle connection should hold next to nothing.
    private static let busyOutputCapacity = 64 * 1024
    private static let idleOutputCapacity = 4 * 1024

    private var inReadBurst = false
    private var flushScheduled = false
    private var draining = false
    private var closing = false

    init(router: RPCRouter, configuration: ServerConfiguration, logger: Logger) {
        self.router = router
        self.configuration = configuration
        self.logger = logger
        self.head = RequestHead(router: router)
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.executor = EventLoopTaskExecutor(eventLoop: context.eventLoop)
        self.session = NGHTTP2Session(role: .server, delegate: self, allocator: context.channel.allocator)
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
        if let address = context.channel.remoteAddress {
            peer = Self.describe(address)
        }
        do {
            try session.submitSettings(
                .init(
                    maxConcurrentStreams: configuration.maxConcurrentStreams,
                    sessionMaxConcurrentStreams: Self.sessionStreamLimit(
                        advertised: configuration.maxConcurrentStreams
                    ),
                    initialWindowSize: configuration.initialStreamWindowSize,
                    maxHeaderListSize: configuration.maxHeaderListSize,
                    maxFrameSize: 16_384,
                    connectionWindowSize: configuration.connectionWindowSize
                )
            )
        } catch {
            logger.error("Could not submit HTTP/2 settings", metadata: ["error": "\(error)"])
            context.close(promise: nil)
            return
        }
        if context.channel.isActive { flush() }
    }

    /// The concurrent-stream limit nghttp2 enforces: room above the advertised one for a burst of streams
    /// we refuse one by one (nghttp2 counts them until their RST_STREAM is out); a peer that overshoots
    /// further in one read is abusive, and nghttp2's GOAWAY answers it. Kept small because nghttp2 also
    /// keeps up to this many closed streams per connection (for RFC 7540 priorities): twice the limit
    /// cost 4.5 MiB more peak memory over 50 busy connections.
    private static func sessionStreamLimit(advertised: UInt32) -> UInt32 {
        let (limit, overflow) = advertised.addingReportingOverflow(max(advertised / 8, 8))
        return overflow ? .max : limit
    }

    func channelActive(context: ChannelHandlerContext) {
        flush()
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        closeAllStreams()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        keepalive?.stop()
        closeAllStreams()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        inReadBurst = true
        do {
            try session.receive(buffer)
        } catch {
            // A peer that breaks the protocol gets a GOAWAY from nghttp2 (queued during mem_recv);
            // we send what is queued and close.
            logger.debug(
                "HTTP/2 session error; closing connection",
                metadata: ["error": "\(error)", "peer": "\(peer)"]
            )
            closing = true
        }
        actOnReceivedEvents()
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

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerDrainEvent {
            beginDraining()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("Connection error", metadata: ["error": "\(error)", "peer": "\(peer)"])
        context.close(promise: nil)
    }

    // MARK: Graceful shutdown

    /// Stops taking new calls: a GOAWAY that lets in-flight calls finish, then close once none remain.
    private func beginDraining() {
        guard !draining, session != nil else { return }
        draining = true
        session.submitShutdownNotice()
        session.submitGoAway(errorCode: HTTP2ErrorCode.noError)
        flush()
    }

    // MARK: Acting on received events

    private func actOnReceivedEvents() {
        if !pendingRejections.isEmpty {
            let rejections = pendingRejections
            pendingRejections.removeAll(keepingCapacity: true)
            for (streamID, headers, body) in rejections {
                if let body { rejectionBodies[streamID] = body }
                submitResponse(streamID: streamID, headers: headers, hasBody: body != nil)
            }
        }
        if !pendingStarts.isEmpty {
            swap(&pendingStarts, &startsInHand)
            for stream in startsInHand { startIfReady(stream) }
            startsInHand.removeAll(keepingCapacity: true)
        }
    }

    /// Decides on a complete request head. Called from inside nghttp2's callback, so that DATA in the
    /// same read finds its stream; what must be submitted waits until `mem_recv` has returned.
    private func accept(streamID: Int32, head: RequestHead, endStream: Bool) {
        switch head.verdict() {
        case .httpError(let status, let explanation):
            var headers = HeaderList()
            headers.add(":status", status)
            headers.add("content-type", "text/plain; charset=utf-8")
            var body = context.channel.allocator.buffer(capacity: explanation.utf8CodeUnitCount)
            body.writeStaticString(explanation)
            pendingRejections.append((streamID, headers, body))
        case .reject(let status, let trailers):
            var headers = HeaderList()
            headers.add(":status", "200")
            headers.add("content-type", "application/grpc")
            headers.add(status: status, trailers: trailers)
            pendingRejections.append((streamID, headers, nil))
        case .accept(let method, let encoding):
            let stream = ServerStream(
                id: streamID,
                serverMethod: method,
                head: head,
                requestEncoding: encoding,
                peer: peer,
                connection: self,
                configuration: configuration,
                eventLoop: context.eventLoop,
                allocator: context.channel.allocator
            )
            streams[streamID] = stream
            if endStream { stream.requestDidEnd() }
            if let deadline = stream.deadline {
                stream.deadlineTimer = context.eventLoop.scheduleTask(deadline: deadline) { [stream] in
                    stream.deadlineExpired()
                }
            }
            pendingStarts.append(stream)
        }
    }

    private func startIfReady(_ stream: ServerStream) {
        guard stream.task == nil, !stream.closed, !stream.hasFinished, stream.isReadyToStart else { return }
        // The handler starts at once on this thread (we are on the loop, after mem_recv returned) and
        // runs until it first suspends; it resumes on this loop through the executor preference. A
        // handler that never suspends, the usual unary call, costs no enqueue and no executor switch.
        stream.task = Task.immediate(executorPreference: executor) {
            await stream.serverMethod.serve(stream)
        }
    }

    // MARK: NGHTTP2SessionDelegate (inside nghttp2 callbacks: record and return)

    func sessionBeginHeaders(streamID: Int32, isRequest: Bool) -> Bool {
        if isRequest {
            guard openRequestStreams < configuration.maxConcurrentStreams else {
                refusedStreams.insert(streamID)
                return false
            }
            openRequestStreams += 1
        }
        if streams[streamID] == nil {
            head = RequestHead(router: router)
            headStreamID = streamID
        }
        return true
    }

    func sessionHeader(streamID: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool {
        guard streamID == headStreamID else { return true }  // trailers from a client: nothing to read
        head.add(name: name, value: value)
        guard head.listSize <= Int(configuration.maxHeaderListSize) else {
            headStreamID = 0
            return false  // nghttp2 resets the stream
        }
        return true
    }

    func sessionFrameReceived(_ frame: ReceivedFrame) {
        switch frame.kind {
        case .headers:
            if frame.streamID == headStreamID {
                headStreamID = 0
                accept(streamID: frame.streamID, head: head, endStream: frame.endStream)
            } else if frame.endStream, let stream = streams[frame.streamID] {
                requestEnded(stream)
            }
        case .data:
            if frame.endStream, let stream = streams[frame.streamID] {
                requestEnded(stream)
            }
        case .pingAck(let payload):
            keepalive?.acknowledged(payload)
        case .goAway, .other:
            break
        }
    }

    private func requestEnded(_ stream: ServerStream) {
        stream.requestDidEnd()
        if stream.task == nil { pendingStarts.append(stream) }
    }

    func sessionData(streamID: Int32, bytes: ByteBuffer) {
        if let stream = streams[streamID] {
            stream.received(bytes)
        } else {
            // A stream we rejected or finished: release its bytes so the connection window stays open.
            consume(streamID: streamID, count: bytes.readableBytes)
        }
    }

    func sessionStreamClosed(streamID: Int32, errorCode: UInt32) {
        if headStreamID == streamID { headStreamID = 0 }
        if !refusedStreams.isEmpty, refusedStreams.remove(streamID) != nil {
            // Refused streams were never counted as open.
        } else if openRequestStreams > 0 {
            openRequestStreams -= 1
        }
        if !rejectionBodies.isEmpty { rejectionBodies.removeValue(forKey: streamID) }
        if let stream = streams.removeValue(forKey: streamID) {
            stream.didClose(errorCode: errorCode)
        }
    }

    /// Only a call we served gets RST_STREAM(NO_ERROR) after its early end. A request refused at its head
    /// (Trailers-Only, or an HTTP error) keeps its stream open to the end of the request, so nghttp2 goes on
    /// checking it (content-length, trailers) and a malformed one still gets RST_STREAM(PROTOCOL_ERROR),
    /// whether or not our answer has gone out by then.
    func sessionEndedStreamBeforePeer(streamID: Int32) {
        guard streams[streamID] != nil else { return }
        pendingEarlyCloseResets.append(streamID)
    }

    func sessionReadData(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> DataSourceResult {
        guard let stream = streams[streamID] else { return readRejectionBody(streamID: streamID, into: buffer) }
        return stream.readData(into: buffer)
    }

    private func readRejectionBody(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> DataSourceResult {
        guard var body = rejectionBodies.removeValue(forKey: streamID) else { return .endOfStream(0) }
        let count = min(body.readableBytes, buffer.count)
        body.readWithUnsafeReadableBytes { bytes in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix(count)))
            return count
        }
        guard body.readableBytes == 0 else {
            rejectionBodies[streamID] = body
            return .bytes(count)
        }
        return .endOfStream(count)
    }

    // MARK: Used by streams (on the loop)

    func submitResponse(streamID: Int32, headers: HeaderList, hasBody: Bool) {
        do {
            try session.submitResponse(streamID: streamID, headers: headers, hasBody: hasBody)
        } catch {
            logger.debug("Could not submit response headers", metadata: ["error": "\(error)"])
        }
        scheduleFlush()
    }

    func submitTrailers(streamID: Int32, headers: HeaderList) {
        do {
            try session.submitTrailers(streamID: streamID, headers: headers)
        } catch {
            logger.debug("Could not submit trailers", metadata: ["error": "\(error)"])
        }
    }

    func resumeData(streamID: Int32) {
        session.resumeData(streamID: streamID)
        scheduleFlush()
    }

    func consume(streamID: Int32, count: Int) {
        session.consume(streamID: streamID, count: count)
        scheduleFlush()
    }

    /// Writes pending output at the end of the current read burst, or on the next loop tick, so many
    /// responses produced together leave in one write.
    func scheduleFlush() {
        guard !inReadBurst, !flushScheduled, context != nil else { return }
        flushScheduled = true
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            bound.value.flushScheduled = false
            bound.value.flush()
        }
    }

    // MARK: Output

    private func flush() {
        guard let context, session != nil else { return }
        // Reuse last flush's buffer: NIO has usually written and dropped it by now, so clearing it keeps
        // its storage instead of allocating and growing a new one per flush.
        var output = outputBuffer ?? context.channel.allocator.buffer(capacity: 1024)
        outputBuffer = nil
        // Output goes out in chunks of bounded size while the socket takes it; the rest stays in nghttp2
        // until the channel is writable again. Draining all of it at once made one buffer of several
        // hundred KiB per flush for a fast server stream, and malloc mapped, faulted in and trimmed it
        // every time.
        do {
            while context.channel.isWritable {
                output.clear()
                let full = try drainOutput(into: &output)
                if output.readableBytes > 0 {
                    context.writeAndFlush(wrapOutboundOut(output), promise: nil)
                }
                if !full { break }
            }
        } catch {
            logger.debug("HTTP/2 send failed; closing", metadata: ["error": "\(error)"])
            closing = true
        }
        // An idle connection keeps a small buffer only.
        if output.capacity <= (streams.isEmpty ? Self.idleOutputCapacity : Self.busyOutputCapacity) {
            outputBuffer = output
        }
        let idleAfterDrain = draining && streams.isEmpty && !session.wantsWrite
        if closing || idleAfterDrain || (!session.wantsRead && !session.wantsWrite) {
            context.close(promise: nil)
        }
    }

    /// Fills `output` with up to a chunk of what nghttp2 has to send; returns whether it stopped at the
    /// chunk size, with more possibly left.
    private func drainOutput(into output: inout ByteBuffer) throws(HTTP2Error) -> Bool {
        var full = try session.drainOutput(into: &output, limit: Self.writeChunkSize)
        // Resets recorded while draining go out right after the trailers that ended their streams.
        while !full, !pendingEarlyCloseResets.isEmpty {
            let resets = pendingEarlyCloseResets
            pendingEarlyCloseResets.removeAll(keepingCapacity: true)
            for streamID in resets {
                session.submitReset(streamID: streamID, errorCode: HTTP2ErrorCode.noError)
            }
            full = try session.drainOutput(into: &output, limit: Self.writeChunkSize)
        }
        return full
    }

    private func closeAllStreams() {
        let open = streams
        streams.removeAll()
        headStreamID = 0
        for stream in open.values {
            stream.didClose(errorCode: HTTP2ErrorCode.cancel)
        }
    }

    private static func describe(_ address: SocketAddress) -> String {
        switch address {
        case .v4: return "ipv4:\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6: return "ipv6:[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket: return "unix:\(address.pathname ?? "")"
        }
    }
}

/// Sent down every connection's pipeline when the server begins a graceful shutdown. HTTP/1.1 handlers a
/// server hosts (``ServerConfiguration/http1``) close their connection on it once its response is out.
public struct ServerDrainEvent: Sendable {
    public init() {}
}
