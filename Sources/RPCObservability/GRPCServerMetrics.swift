public import Prometheus
public import RPCCore
import Synchronization

/// Server metrics under the names go-grpc-prometheus made standard, so existing gRPC dashboards and
/// alerts work unchanged: `grpc_server_started_total`, `grpc_server_handled_total` (with `grpc_code`
/// as `OK`, `NotFound`, …) and the `grpc_server_handling_seconds` histogram. Labels are low-cardinality
/// only: call type, service, method, code.
public final class GRPCServerMetrics: ServerCallObserver {
    public let registry: PrometheusCollectorRegistry

    /// Latency buckets from 1 ms to 5 s, as the deployment notes ask for.
    public static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(5),
    ]

    // Computed: the descriptor type is not Sendable, so it cannot be a stored static.
    private static var started: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "grpc",
            subsystem: "server",
            metricName: "started",
            unitName: "total",
            helpText: "Total number of RPCs started on the server."
        )
    }
    private static var handled: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "grpc",
            subsystem: "server",
            metricName: "handled",
            unitName: "total",
            helpText: "Total number of RPCs completed on the server, regardless of success or failure."
        )
    }
    private static var handlingSeconds: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "grpc",
            subsystem: "server",
            metricName: "handling",
            unitName: "seconds",
            helpText: "Histogram of response latency (seconds) of gRPC calls handled by the server."
        )
    }

    private struct MethodMetrics: Sendable {
        let started: Counter
        let handling: DurationHistogram
        var handled: [Int: Counter] = [:]
    }

    /// Metric handles by method path, made on first use so the hot path is one dictionary lookup.
    private let methods = Mutex<[String: MethodMetrics]>([:])

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// How many per-method and per-code handle sets are cached (for tests of the hot path).
    package var cachedHandleCount: Int {
        methods.withLock { $0.values.reduce(0) { $0 + 1 + $1.handled.count } }
    }

    public func callStarted(_ method: MethodDescriptor) {
        metrics(for: method).started.increment()
    }

    public func callFinished(_ method: MethodDescriptor, code: StatusCode, duration: Duration) {
        let metrics = metrics(for: method)
        metrics.handling.record(duration)
        handledCounter(for: method, code: code).increment()
    }

    private func labels(_ method: MethodDescriptor) -> [(String, String)] {
        [("grpc_type", method.kind.metricsLabel), ("grpc_service", method.service), ("grpc_method", method.method)]
    }

    private func metrics(for method: MethodDescriptor) -> MethodMetrics {
        if let existing = methods.withLock({ $0[method.path] }) { return existing }
        let made = MethodMetrics(
            started: registry.makeCounter(descriptor: Self.started, labels: labels(method)),
            handling: registry.makeDurationHistogram(
                descriptor: Self.handlingSeconds,
                labels: labels(method),
                buckets: Self.buckets
            )
        )
        return methods.withLock { methods in
            if let raced = methods[method.path] { return raced }
            methods[method.path] = made
            return made
        }
    }

    private func handledCounter(for method: MethodDescriptor, code: StatusCode) -> Counter {
        if let counter = methods.withLock({ $0[method.path]?.handled[code.rawValue] }) { return counter }
        let counter = registry.makeCounter(
            descriptor: Self.handled,
            labels: labels(method) + [("grpc_code", code.name)]
        )
        methods.withLock { $0[method.path]?.handled[code.rawValue] = counter }
        return counter
    }
}
