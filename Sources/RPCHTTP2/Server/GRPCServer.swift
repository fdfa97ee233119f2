import IsidSync
public import Logging
public import NIOCore
public import NIOPosix
public import RPCCore
public import ServiceLifecycle

/// A gRPC server over HTTP/2 (cleartext, prior knowledge), serving a set of services.
///
/// A ``Service`` for swift-service-lifecycle: `run()` serves until the group shuts down, then drains:
/// every connection gets a GOAWAY, in-flight calls may finish within the grace period, then the
/// remaining connections close.
public final class GRPCServer: Service, Sendable {
    public let configuration: ServerConfiguration
    private let router: RPCRouter
    private let group: any EventLoopGroup
    private let logger: Logger
    // Connections are tracked from event-loop threads and read from the draining task.
    private let state = Lock(State())
    private let boundAddress: EventLoopPromise<SocketAddress>

    private struct State {
        var serverChannel: (any Channel)?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var shuttingDown = false
    }

    /// A server for the methods of `services`. Calls go through `interceptors` (first outermost) and are
    /// heard by `observer`, which also hears those an interceptor refuses.
    public convenience init(
        configuration: ServerConfiguration,
        services: [any RPCService],
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "isid.rpc.server"),
        interceptors: [any ServerInterceptor] = [],
        observer: (any ServerCallObserver)? = nil
    ) {
        self.init(
            configuration: configuration,
            router: RPCRouter(services: services),
            group: group,
            logger: logger,
            interceptors: interceptors,
            observer: observer
        )
    }

    /// A server for the routes of `router`, which may include a catch-all route (a proxy's).
    public init(
        configuration: ServerConfiguration,
        router: RPCRouter,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "isid.rpc.server"),
        interceptors: [any ServerInterceptor] = [],
        observer: (any ServerCallObserver)? = nil
    ) {
        self.configuration = configuration
        let router = router.intercepted(by: interceptors)
        self.router = observer.map { router.observed(by: $0) } ?? router
        self.group = group
        self.logger = logger
        self.boundAddress = group.next().makePromise(of: SocketAddress.self)
    }

    /// The services and methods this server routes to.
    public var registeredMethods: [MethodDescriptor] { router.registeredMethods }

    /// The address the server listens on, once `run()` has bound it.
    public var listeningAddress: SocketAddress {
        get async throws { try await boundAddress.futureResult.get() }
    }

    public func run() async throws {
        let channel: any Channel
        do {
            channel = try await bind()
        } catch {
            boundAddress.fail(error)
            throw error
        }
        state.withLock { $0.serverChannel = channel }
        boundAddress.succeed(channel.localAddress!)
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            self.beginGracefulShutdown()
        }
        // Cancelled (rather than asked to drain), in-flight calls get no grace period.
        try await waitForConnectionsToDrain(gracePeriod: Task.isCancelled ? .zero : configuration.shutdownGracePeriod)
    }

    /// Stops accepting and asks every connection to drain. Also what SIGTERM triggers through the
    /// service group.
    public func beginGracefulShutdown() {
        let (server, connections) = state.withLock { state -> ((any Channel)?, [any Channel]) in
            state.shuttingDown = true
            return (state.serverChannel, Array(state.connections.values))
        }
        server?.close(promise: nil)
        for connection in connections {
            connection.pipeline.fireUserInboundEventTriggered(ServerDrainEvent())
        }
    }

    private func bind() async throws -> any Channel {
        let router = self.router
        let configuration = self.configuration
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { [weak self] channel in
                self?.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try configuration.connectionSecurity?(channel)
                    let http2 = ServerConnectionHandler(router: router, configuration: configuration, logger: logger)
                    if let http1 = configuration.http1 {
                        try channel.pipeline.syncOperations.addHandler(
                            ProtocolSniffer(http2: http2, http1: { channel in try http1(channel, router) })
                        )
                    } else {
                        try channel.pipeline.syncOperations.addHandler(http2)
                    }
                }
            }
        return try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
    }

    private func track(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let draining = state.withLock { state in
            state.connections[id] = channel
            return state.shuttingDown
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            _ = self?.state.withLock { $0.connections.removeValue(forKey: id) }
        }
        if draining {
            channel.eventLoop.execute { channel.pipeline.fireUserInboundEventTriggered(ServerDrainEvent()) }
        }
    }

    /// Waits for drained connections to close by themselves, then closes what is left after the grace
    /// period.
    private func waitForConnectionsToDrain(gracePeriod: Duration) async throws {
        let deadline = ContinuousClock.now + gracePeriod
        while ContinuousClock.now < deadline {
            if state.withLock({ $0.connections.isEmpty }) { return }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let remaining = state.withLock { Array($0.connections.values) }
        if !remaining.isEmpty {
            logger.info("Grace period over; closing connections", metadata: ["connections": "\(remaining.count)"])
        }
        for connection in remaining { try? await connection.close() }
    }
}
