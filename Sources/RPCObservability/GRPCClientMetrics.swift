import IsidSync
import NIOCore
public import Prometheus
public import RPCCore

/// Client metrics under the names go-grpc-prometheus made standard: `grpc_client_started_total`,
/// `grpc_client_handled_total` (with `grpc_code`) and the `grpc_client_handling_seconds` histogram, by call
/// type, service and method. What a proxy or a service calling another sees of its upstream calls.
public final class GRPCClientMetrics: ClientInterceptor {
    public let registry: PrometheusCollectorRegistry
    private let methods = Lock<[String: MethodMetrics]>([:])

    private static var started: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "grpc",
            subsystem: "client",
            metricName: "started",
            unitName: "total",
            helpText: "Total number of RPCs started on the client."
        )
    }
    fileprivate static var handled: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "grpc",
            subsystem: "client",
            metricName: "handled",
            unitName: "total",
            helpText: "Total number of RPCs completed by the client, regardless of success or failure."
        )
    }
    private static var handlingSeconds: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "grpc",
            subsystem: "client",
            metricName: "handling",
            unitName: "seconds",
            helpText: "Histogram of response latency (seconds) of the gRPC until it is finished by the application."
        )
    }

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    public func intercept(
        _ request: ClientCallRequest,
        next: (ClientCallRequest) async throws(RPCError) -> any ClientCallStream
    ) async throws(RPCError) -> any ClientCallStream {
        let metrics = metrics(for: request.method)
        metrics.started.increment()
        let start = NIODeadline.now()
        do {
            let stream = try await next(request)
            return ObservedCallStream(stream) { code in
                metrics.finished(
                    code: code ?? .cancelled,
                    duration: .nanoseconds((NIODeadline.now() - start).nanoseconds)
                )
            }
        } catch {
            metrics.finished(code: error.code, duration: .nanoseconds((NIODeadline.now() - start).nanoseconds))
            throw error
        }
    }

    private func metrics(for method: MethodDescriptor) -> MethodMetrics {
        if let known = methods.withLock({ $0[method.path] }) { return known }
        let labels = [
            ("grpc_type", method.kind.metricsLabel), ("grpc_service", method.service), ("grpc_method", method.method),
        ]
        let made = MethodMetrics(
            registry: registry,
            labels: labels,
            started: registry.makeCounter(descriptor: Self.started, labels: labels),
            handling: registry.makeDurationHistogram(
                descriptor: Self.handlingSeconds,
                labels: labels,
                buckets: GRPCServerMetrics.buckets
            )
        )
        return methods.withLock { methods in
            if let known = methods[method.path] { return known }
            methods[method.path] = made
            return made
        }
    }

    private final class MethodMetrics: Sendable {
        let registry: PrometheusCollectorRegistry
        let labels: [(String, String)]
        let started: Counter
        let handling: DurationHistogram
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

        func finished(code: StatusCode, duration: Duration) {
            handling.record(duration)
            let index = Int(code.rawValue)
            guard (0..<17).contains(index) else { return }
            let counter =
                handled.withLock { $0[index] }
                ?? registry.makeCounter(
                    descriptor: GRPCClientMetrics.handled,
                    labels: labels + [("grpc_code", code.name)]
                )
            handled.withLock { $0[index] = counter }
            counter.increment()
        }
    }
}
