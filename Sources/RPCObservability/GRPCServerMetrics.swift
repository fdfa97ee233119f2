import IsidSync
public import Prometheus
public import RPCCore

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

    /// How many metric handle sets exist: one per method observed, plus one per status code it has
    /// answered with (for tests that the call path makes none).
    package var cachedHandleCount: Int {
        observers.withLock { $0.reduce(0) { $0 + 1 + $1.handledCounterCount } }
    }

    private let observers = Lock<[MethodMetrics]>([])

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Makes the method's started counter and latency histogram now, when the server starts, so a call
    /// only touches handles it already holds.
    public func methodObserver(for method: MethodDescriptor) -> any MethodCallObserver {
        let labels = [
            ("grpc_type", method.kind.metricsLabel), ("grpc_service", method.service), ("grpc_method", method.method),
        ]
        let metrics = MethodMetrics(
            registry: registry,
            labels: labels,
            started: registry.makeCounter(descriptor: Self.started, labels: labels),
            handling: registry.makeDurationHistogram(
                descriptor: Self.handlingSeconds,
                labels: labels,
                buckets: Self.buckets
            )
        )
        observers.withLock { $0.append(metrics) }
        return metrics
    }

    /// One method's handles. The handled counter of each status code is made on first use, so
    /// `/metrics` lists only codes the method has answered with.
    private final class MethodMetrics: MethodCallObserver {
        let registry: PrometheusCollectorRegistry
        let labels: [(String, String)]
        let started: Counter
        let handling: DurationHistogram
        /// Indexed by status code (0 to 16).
        private let handled = Lock<[Counter?]>(Array(repeating: nil, count: 17))

        init(
            registry: PrometheusCollectorRegistry,
            labels: [(String, String)],
            started: Counter,
            handling: DurationHistogram
        ) {
            self.registry = registry
            self.labels = labels
            self.started = started
            self.handling = handling
        }

        var handledCounterCount: Int { handled.withLock { $0.count { $0 != nil } } }

        func callStarted() {
            started.increment()
        }

        func callFinished(code: StatusCode, duration: Duration) {
            handling.record(duration)
            handledCounter(for: code).increment()
        }

        private func handledCounter(for code: StatusCode) -> Counter {
            let index = Int(code.rawValue)
            if let counter = handled.withLock({ $0[index] }) { return counter }
            let counter = registry.makeCounter(
                descriptor: GRPCServerMetrics.handled,
                labels: labels + [("grpc_code", code.name)]
            )
            handled.withLock { $0[index] = counter }
            return counter
        }
    }
}
