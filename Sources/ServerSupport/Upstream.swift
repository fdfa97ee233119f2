public import Logging
public import Prometheus
public import RPCCore
import RPCHTTP2
import RPCObservability
import RPCStandardServices
public import ServiceLifecycle

/// A service this one calls, behind the RPC core's load-balanced channel: its option (`--indicator-service`,
/// `--programme-service`) read as an endpoint target (`host:port`, a comma-separated list, or
/// `dns:///name:port` for every replica behind a DNS name), with grpc.health.v1 probes, ejection and retries
/// of reads. Run ``keeper`` beside the server so the endpoints stay current.
public struct Upstream: Sendable {
    public let target: EndpointTarget
    public let transport: BalancedTransport
    /// Calls through the transport, carrying the caller's trace context.
    public let client: RPCClient
    /// Re-resolves and health-checks until the server shuts down; then closes the connections.
    public let keeper: any Service

    /// Nil when `text` is not a target.
    /// - Parameter metrics: where to count the calls (`grpc_client_*`); nil counts none.
    public init?(_ text: String, name: String, logger: Logger, metrics: PrometheusCollectorRegistry? = nil) {
        guard let target = EndpointTarget(text) else { return nil }
        self.target = target
        var logger = logger
        logger[metadataKey: "upstream"] = "\(name)"
        let eventLogger = logger
        let transport = BalancedTransport.http2(
            target: target,
            logger: logger,
            probe: GRPCHealthProbe.make(),
            onEvent: { event in Self.log(event, to: eventLogger) }
        )
        self.transport = transport
        var interceptors: [any ClientInterceptor] = [TraceContextClientInterceptor()]
        if let metrics { interceptors.append(GRPCClientMetrics(registry: metrics)) }
        self.client = RPCClient(transport: transport, interceptors: interceptors)
        self.keeper = Keeper(transport: transport)
    }

    private static func log(_ event: BalancedTransport.Event, to logger: Logger) {
        switch event {
        case .endpoint(.ejected(let address, let length)):
            logger.warning("Endpoint ejected", metadata: ["endpoint": "\(address)", "for": "\(length)"])
        case .endpoint(.restored(let address)):
            logger.notice("Endpoint back in rotation", metadata: ["endpoint": "\(address)"])
        case .endpoint(.added(let address)):
            logger.info("Endpoint added", metadata: ["endpoint": "\(address)"])
        case .endpoint(.removed(let address)):
            logger.info("Endpoint removed", metadata: ["endpoint": "\(address)"])
        case .retried(let method, let code):
            logger.debug("Call retried", metadata: ["method": "\(method)", "after": "\(code)"])
        case .resolutionFailed(let reason):
            logger.warning("Resolving the upstream failed", metadata: ["error": "\(reason)"])
        }
    }

    private struct Keeper: Service {
        let transport: BalancedTransport

        func run() async throws {
            await cancelWhenGracefulShutdown { await transport.run() }
        }
    }
}
