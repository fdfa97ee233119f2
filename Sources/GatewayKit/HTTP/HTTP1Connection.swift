public import Logging
public import NIOCore
import NIOHTTP1
public import RPCCore
import RPCHTTP2
import RPCObservability

/// What the gateway's HTTP/1.1 side allows.
public struct HTTP1Settings: Sendable {
    /// Largest request body read; a larger one is refused with 413.
    public var maxRequestBytes: Int
    /// Origins browsers may call from (CORS); `*` for any.
    public var allowedOrigins: [String]
    /// JSON transcoding; nil serves gRPC-Web only.
    public var transcoding: JSONTranscoding?
    /// Conditional GETs answered 304 without a call while the services' revisions stand still; nil calls
    /// through every time (the answer's ETag still decides).
    public var revalidation: Revalidation?
    /// Told of each 304: the method's path, and whether it was answered without calling the service.
    public var onNotModified: @Sendable (_ path: String, _ withoutCall: Bool) -> Void
    /// Where one line per request goes (method, path, status, duration, bytes, peer); nil logs none.
    public var accessLog: Logger?

    public init(
        maxRequestBytes: Int = 4 * 1024 * 1024,
        allowedOrigins: [String] = ["*"],
        transcoding: JSONTranscoding? = nil,
        revalidation: Revalidation? = nil,
        onNotModified: @escaping @Sendable (String, Bool) -> Void = { _, _ in },
        accessLog: Logger? = nil
    ) {
        self.maxRequestBytes = maxRequestBytes
        self.allowedOrigins = allowedOrigins
        self.transcoding = transcoding
        self.revalidation = revalidation
        self.onNotModified = onNotModified
        self.accessLog = accessLog
    }
}

/// The gateway's HTTP/1.1 side, on the same port as gRPC: the server hands it each connection that did not
/// open with the HTTP/2 preface. Requests are served one after another per connection, through the same
/// router (so the same keys, limits and metrics) as gRPC calls.
public enum GatewayHTTP1 {
    /// Adds the HTTP/1.1 handlers to `channel` (on its event loop) and starts serving it.
    public static func configure(_ channel: any Channel, router: RPCRouter, settings: HTTP1Settings) throws {
        let sync = channel.pipeline.syncOperations
        try sync.configureHTTPServerPipeline(withErrorHandling: true)
        try sync.addHandler(HTTP1DrainHandler())
        let connection = try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
            wrappingChannelSynchronously: channel
        )
        let peer = describe(channel.remoteAddress)
        let responder = GatewayHTTPResponder(router: router, settings: settings, transcoding: settings.transcoding)
        // The connection's own task, on the connection's loop (its requests, the calls they make through the
        // router and the upstream connection of that loop run on one thread): it ends when the connection
        // closes.
        Task(executorPreference: EventLoopTaskExecutor(eventLoop: channel.eventLoop)) {
            await serve(connection, responder: responder, peer: peer, settings: settings)
        }
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>,
        responder: GatewayHTTPResponder,
        peer: String,
        settings: HTTP1Settings
    ) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            var tooLarge = false
            for try await part in inbound {
                switch part {
                case .head(let received):
                    head = received
                    body.clear()
                    tooLarge = false
                case .body(var chunk):
                    if body.readableBytes + chunk.readableBytes > settings.maxRequestBytes {
                        tooLarge = true
                    } else if !tooLarge {
                        body.writeBuffer(&chunk)
                    }
                case .end:
                    guard let request = head else { continue }
                    head = nil
                    let writer = HTTPResponseWriter(outbound: outbound, keepAlive: request.isKeepAlive && !tooLarge)
                    let started = ContinuousClock.now
                    defer { settings.accessLog.map { log(request, writer, since: started, peer: peer, to: $0) } }
                    if tooLarge {
                        try await responder.refuseTooLarge(request, writer: writer)
                        return
                    }
                    try await responder.respond(to: request, body: body, peer: peer, writer: writer)
                    if !request.isKeepAlive { return }
                }
            }
        }
    }

    /// The request's access-log line.
    private static func log(
        _ request: HTTPRequestHead,
        _ writer: HTTPResponseWriter,
        since started: ContinuousClock.Instant,
        peer: String,
        to logger: Logger
    ) {
        let (status, bytes) = writer.written
        logger.info(
            "http",
            metadata: [
                "http_method": "\(request.method.rawValue)", "path": "\(request.uri)", "status": "\(status)",
                "duration_ms": "\(AccessLogInterceptor.milliseconds(ContinuousClock.now - started))",
                "response_bytes": "\(bytes)", "peer": "\(peer)",
                "user_agent": "\(request.headers.first(name: "user-agent") ?? "")",
            ]
        )
    }

    static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        switch address {
        case .v4: return "ipv4:\(address.ipAddress ?? "?"):\(address.port ?? 0)"
        case .v6: return "ipv6:[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
        case .unixDomainSocket: return "unix:\(address.pathname ?? "")"
        }
    }
}

/// Closes an HTTP/1.1 connection when the server drains: at once when no request is being answered,
/// otherwise as soon as its response has gone out.
final class HTTP1DrainHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var answering = 0
    private var draining = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { answering += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .end = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        answering = max(0, answering - 1)
        if draining && answering == 0 {
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            let channel = context.channel
            written.futureResult.whenComplete { _ in channel.close(promise: nil) }
        } else {
            context.write(data, promise: promise)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ServerDrainEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        draining = true
        if answering == 0 { context.close(promise: nil) }
    }
}
