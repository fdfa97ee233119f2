/// How a client channel connects to its endpoint.
public struct ClientConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Per-stream and connection receive windows we announce.
    public var initialStreamWindowSize: UInt32
    public var connectionWindowSize: Int32
    public var maxHeaderListSize: UInt32
    /// Request bytes a call may queue before its next write waits for the server.
    public var streamWriteHighWaterMark: Int
    public var connectTimeout: Duration
    /// Reconnection backoff, as gRPC's connection-backoff spec describes it.
    public var backoff: Backoff
    /// PINGs that detect a dead server or path; nil sends none.
    public var keepalive: KeepalivePolicy?

    public struct Backoff: Sendable {
        public var initial: Duration
        public var multiplier: Double
        public var jitter: Double
        public var maximum: Duration

        public init(
            initial: Duration = .seconds(1),
            multiplier: Double = 1.6,
            jitter: Double = 0.2,
            maximum: Duration = .seconds(120)
        ) {
            self.initial = initial
            self.multiplier = multiplier
            self.jitter = jitter
            self.maximum = maximum
        }

        /// The delay before attempt `attempt` (0-based), with jitter applied.
        func delay(attempt: Int) -> Duration {
            var delay = initial
            for _ in 0..<attempt where delay < maximum {
                delay = min(delay * multiplier, maximum)
            }
            return delay * Double.random(in: (1 - jitter)...(1 + jitter))
        }
    }

    public init(
        host: String,
        port: Int,
        initialStreamWindowSize: UInt32 = 1024 * 1024,
        connectionWindowSize: Int32 = 16 * 1024 * 1024,
        maxHeaderListSize: UInt32 = 16 * 1024,
        streamWriteHighWaterMark: Int = 256 * 1024,
        connectTimeout: Duration = .seconds(20),
        backoff: Backoff = Backoff(),
        keepalive: KeepalivePolicy? = nil
    ) {
        self.host = host
        self.port = port
        self.initialStreamWindowSize = initialStreamWindowSize
        self.connectionWindowSize = connectionWindowSize
        self.maxHeaderListSize = maxHeaderListSize
        self.streamWriteHighWaterMark = streamWriteHighWaterMark
        self.connectTimeout = connectTimeout
        self.backoff = backoff
        self.keepalive = keepalive
    }
}
