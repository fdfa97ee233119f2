import Instrumentation
public import IsidAuth
public import Logging
public import NIOCore
public import Prometheus
public import ProtobufRuntime
public import RPCCore
public import RPCHTTP2
import RPCObservability
public import RPCStandardServices
public import ServiceLifecycle
import StandardProtos
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// Starts an Isid server the same way for every executable: JSON logs on stderr, health and reflection
/// beside the given services, `listening on HOST:PORT` on stdout once bound, and on SIGTERM or SIGINT
/// a drain (health NOT_SERVING, GOAWAY, in-flight calls finish within the grace period) and exit 0.
public struct ServerRunner: Sendable {
    public let name: String
    public let options: ServerOptions
    public let health = HealthStatusRegistry()
    /// Where the process's metrics live: the server's call metrics, and any a caller adds (the gateway's).
    public let metrics = PrometheusCollectorRegistry()

    public init(name: String, options: ServerOptions) {
        self.name = name
        self.options = options
    }

    /// Sets the process's logging and instrumentation, once: logs go to stderr as JSON lines, each carrying the
    /// trace id of the call it is about; trace context travels as W3C `traceparent`/`tracestate`.
    public func bootstrapLogging() {
        let level = options.level
        InstrumentationSystem.bootstrap(W3CTraceContextPropagator())
        LoggingSystem.bootstrap(
            { label, provider in JSONLogHandler(label: label, level: level, metadataProvider: provider) },
            metadataProvider: .traceContext
        )
    }

    public func makeLogger() -> Logger {
        var logger = Logger(label: name)
        logger.logLevel = options.level
        return logger
    }

    /// Serves `services` plus health and reflection until a shutdown signal, then drains.
    ///
    /// - Parameters:
    ///   - descriptorFiles: descriptors of the services' protos, for reflection (the standard protos are
    ///     always included).
    ///   - authorization: who may call what. Services that declare access rules
    ///     (``AccessControlledService``) are guarded by one ``AuthorizationInterceptor`` with these
    ///     authenticators; nil guards them with none (only public methods and, if set, public reads answer).
    ///   - interceptors: more server interceptors (first outermost), inside the trace context (read from every
    ///     call first, so what follows logs with the trace id) and the authorization check.
    ///   - backgroundServices: what the RPC server needs running (database pools, background jobs): started
    ///     before it, in order, and stopped after it has drained, in reverse.
    ///   - listeners: other front doors (an HTTP listener): started after the RPC server, in order, and
    ///     stopped before it drains, in reverse, so no new work arrives while in-flight calls finish.
    ///   - http1: serves HTTP/1.1 on the gRPC port (the gateway's JSON and gRPC-Web): see
    ///     ``ServerConfiguration/http1``.
    ///   - connectionSecurity: adds TLS at the front of every connection: see
    ///     ``ServerConfiguration/connectionSecurity``.
    ///   - onGracefulShutdown: called once when the drain begins, before in-flight calls are waited for;
    ///     services with long-lived streams (watches) end them here so the drain does not wait out the grace
    ///     period.
    public func run(
        services: [any RPCService],
        descriptorFiles: [ProtoFileDescriptor] = [],
        authorization: ServerAuthorization? = nil,
        interceptors: [any ServerInterceptor] = [],
        backgroundServices: [any Service] = [],
        listeners: [any Service] = [],
        http1: (@Sendable (any Channel, RPCRouter) throws -> Void)? = nil,
        connectionSecurity: (@Sendable (any Channel) throws -> Void)? = nil,
        onGracefulShutdown: (@Sendable () -> Void)? = nil
    ) async throws {
        HeapTuning.keepFreedHeapForReuse()
        let logger = makeLogger()
        let process = makeProcess(
            services: services,
            descriptorFiles: descriptorFiles,
            authorization: authorization,
            interceptors: interceptors,
            backgroundServices: backgroundServices,
            listeners: listeners,
            http1: http1,
            connectionSecurity: connectionSecurity,
            onGracefulShutdown: onGracefulShutdown
        )
        let group = ServiceGroup(
            configuration: .init(
                services: process.services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
        logger.info("Stopped", metadata: ["server": "\(name)"])
    }

    /// What ``run(services:descriptorFiles:authorization:interceptors:backgroundServices:listeners:onGracefulShutdown:)``
    /// runs, without running it: the RPC server, and every lifecycle service in the order the process starts
    /// them (it stops them in reverse).
    public func makeProcess(
        services: [any RPCService],
        descriptorFiles: [ProtoFileDescriptor] = [],
        authorization: ServerAuthorization? = nil,
        interceptors: [any ServerInterceptor] = [],
        backgroundServices: [any Service] = [],
        listeners: [any Service] = [],
        http1: (@Sendable (any Channel, RPCRouter) throws -> Void)? = nil,
        connectionSecurity: (@Sendable (any Channel) throws -> Void)? = nil,
        onGracefulShutdown: (@Sendable () -> Void)? = nil
    ) -> ServerProcess {
        let logger = makeLogger()
        let serviceNames = RPCRouter(services: services).serviceNames
        let standardNames = [
            "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection",
        ]
        let index = DescriptorIndex(
            files: StandardProtosDescriptors.files + descriptorFiles,
            serviceNames: serviceNames + standardNames
        )
        let registry = metrics
        let server = GRPCServer(
            configuration: ServerConfiguration(
                host: options.host,
                port: options.port,
                shutdownGracePeriod: .seconds(options.shutdownGraceSeconds),
                http1: http1,
                connectionSecurity: connectionSecurity
            ),
            services: services + [HealthService(registry: health), ReflectionService(index: index)],
            logger: logger,
            interceptors: [TraceContextServerInterceptor()]
                + authorizationInterceptors(services: services, authorization: authorization, logger: logger)
                + interceptors,
            observer: GRPCServerMetrics(registry: registry)
        )
        health.setStatus(.serving, forService: "")
        for serviceName in serviceNames + standardNames {
            health.setStatus(.serving, forService: serviceName)
        }

        let announcer = ListeningAnnouncer(server: server, host: options.host, logger: logger)
        let drain = HealthDrain(health: health, onGracefulShutdown: onGracefulShutdown)
        // Started in this order and shut down in reverse: health turns NOT_SERVING first, other listeners
        // close, then the RPC server drains, and what it needed (metrics, pools) stops last.
        let ordered: [any Service] =
            backgroundServices + metricsServices(registry: registry, logger: logger) + [server] + listeners
            + [announcer, drain]
        return ServerProcess(server: server, services: ordered)
    }

    /// The interceptor that guards the services declaring access rules, if any do.
    private func authorizationInterceptors(
        services: [any RPCService],
        authorization: ServerAuthorization?,
        logger: Logger
    ) -> [any ServerInterceptor] {
        let policy = AccessPolicy(services: services)
        guard !policy.isEmpty else { return [] }
        let authorization = authorization ?? ServerAuthorization(authenticators: [])
        for scope in policy.requiredScopes.sorted()
        where !authorization.authenticators.contains(where: { $0.canGrant(scope) })
            && !(authorization.publicReads && scope.isRead)
        {
            logger.notice(
                "No configured credential grants this scope: methods that need it are disabled",
                metadata: ["scope": "\(scope)"]
            )
        }
        return [
            AuthorizationInterceptor(
                policy: policy,
                authenticators: authorization.authenticators,
                publicReads: authorization.publicReads
            )
        ]
    }
}

/// An Isid server process before it runs: its RPC server and its lifecycle services in start order.
public struct ServerProcess: Sendable {
    public let server: GRPCServer
    /// Started in this order; a graceful shutdown stops them in reverse.
    public let services: [any Service]
}

/// Who may call a server's guarded methods: the credentials it accepts, and whether reads are open.
public struct ServerAuthorization: Sendable {
    public var authenticators: [any Authenticator]
    public var publicReads: Bool

    public init(authenticators: [any Authenticator], publicReads: Bool = false) {
        self.authenticators = authenticators
        self.publicReads = publicReads
    }
}

extension ServerRunner {
    /// The `/metrics` listener, when a metrics port is configured.
    fileprivate func metricsServices(registry: PrometheusCollectorRegistry, logger: Logger) -> [any Service] {
        guard let port = options.metricsPortSetting else { return [] }
        return [MetricsEndpoint(host: options.host, port: port, registry: registry, logger: logger)]
    }
}

/// Prints the `listening on HOST:PORT` line that scripts and tests wait for, once the port is bound.
private struct ListeningAnnouncer: Service {
    let server: GRPCServer
    let host: String
    let logger: Logger

    func run() async throws {
        let address = try await server.listeningAddress
        let line = "listening on \(host):\(address.port ?? 0)\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(1, $0.baseAddress, $0.count) }
        logger.info("Listening", metadata: ["address": "\(host):\(address.port ?? 0)"])
        // Stay until shutdown: a service that returns while the group is draining counts as having
        // failed, and the group then cancels everything instead of draining.
        try? await gracefulShutdown()
    }
}

/// Turns health to NOT_SERVING and ends Watch calls when a graceful shutdown begins, so probes and
/// balancers stop sending work while in-flight calls finish.
private struct HealthDrain: Service {
    let health: HealthStatusRegistry
    let onGracefulShutdown: (@Sendable () -> Void)?

    func run() async throws {
        await withGracefulShutdownHandler {
            try? await gracefulShutdown()
        } onGracefulShutdown: {
            health.shutDown()
            onGracefulShutdown?()
        }
    }
}
