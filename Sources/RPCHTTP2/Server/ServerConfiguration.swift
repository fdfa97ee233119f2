public import NIOCore
public import RPCCore

/// How a gRPC server listens and what it allows. Defaults follow gRPC's reference servers.
public struct ServerConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Largest request message accepted, after decompression (gRPC's default: 4 MiB).
    public var maxReceiveMessageSize: Int
    /// Streams a client may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS).
    public var maxConcurrentStreams: UInt32
    /// Per-stream receive window (SETTINGS_INITIAL_WINDOW_SIZE).
    public var initialStreamWindowSize: UInt32
    /// Connection receive window, announced at start.
    public var connectionWindowSize: Int32
    /// Largest header list accepted (SETTINGS_MAX_HEADER_LIST_SIZE); larger requests are reset.
    public var maxHeaderListSize: UInt32
    /// Response bytes a stream may queue before its handler's next write waits for the peer.
    public var streamWriteHighWaterMark: Int
    /// How long in-flight calls may run after a graceful shutdown begins.
    public var shutdownGracePeriod: Duration
    /// PINGs that detect dead clients; nil sends none (clients' own PINGs are always answered).
    public var keepalive: KeepalivePolicy?
    /// Serves HTTP/1.1 on the same port: a connection that does not open with the HTTP/2 preface is handed,
    /// on its event loop, to this closure with the server's router (interceptors and observer applied), to
    /// add the handlers that serve it. Nil: every connection is HTTP/2, and HTTP/1.1 gets HTTP/2's refusal.
    public var http1: (@Sendable (any Channel, RPCRouter) throws -> Void)?
    /// Adds handlers at the front of every connection's pipeline, before either protocol: TLS (the gateway's
    /// NIOSSL handler, advertising h2 and http/1.1 by ALPN). The protocol is still told by the first bytes,
    /// which after TLS are the decrypted ones.
    public var connectionSecurity: (@Sendable (any Channel) throws -> Void)?

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        maxReceiveMessageSize: Int = 4 * 1024 * 1024,
        maxConcurrentStreams: UInt32 = 256,
        initialStreamWindowSize: UInt32 = 1024 * 1024,
        connectionWindowSize: Int32 = 16 * 1024 * 1024,
        maxHeaderListSize: UInt32 = 16 * 1024,
        streamWriteHighWaterMark: Int = 256 * 1024,
        shutdownGracePeriod: Duration = .seconds(10),
        keepalive: KeepalivePolicy? = nil,
        http1: (@Sendable (any Channel, RPCRouter) throws -> Void)? = nil,
        connectionSecurity: (@Sendable (any Channel) throws -> Void)? = nil
    ) {
        self.host = host
        self.port = port
        self.maxReceiveMessageSize = maxReceiveMessageSize
        self.maxConcurrentStreams = maxConcurrentStreams
        self.initialStreamWindowSize = initialStreamWindowSize
        self.connectionWindowSize = connectionWindowSize
        self.maxHeaderListSize = maxHeaderListSize
        self.streamWriteHighWaterMark = streamWriteHighWaterMark
        self.shutdownGracePeriod = shutdownGracePeriod
        self.keepalive = keepalive
        self.http1 = http1
        self.connectionSecurity = connectionSecurity
    }
}
