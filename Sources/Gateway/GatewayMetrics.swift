import GatewayKit
import NIOCore
import Prometheus
import RPCCore

/// What the gateway counts beyond the server's `grpc_server_*` call metrics: refusals by its rate limits, and
/// its upstream pools' ejections, restorations and retries.
struct GatewayMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    /// Made once: it moves twice per call, and making a handle builds and checks its name each time.
    private let inFlightGauge: Gauge

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        inFlightGauge = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "isid",
                subsystem: "gateway",
                metricName: "in_flight",
                unitName: "calls",
                helpText: "Calls the gateway has admitted and not yet finished."
            )
        )
    }

    private static func counter(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "isid",
            subsystem: "gateway",
            metricName: name,
            unitName: "total",
            helpText: help
        )
    }

    func inFlight(_ change: Int) {
        if change > 0 {
            inFlightGauge.increment(by: Double(change))
        } else {
            inFlightGauge.decrement(by: Double(-change))
        }
    }

    /// How many endpoints of a pool are in rotation, ejected, or out because their health check said NOT_SERVING.
    func endpoints(of service: String, _ endpoints: [EndpointSet.Endpoint]) {
        let now = NIODeadline.now()
        var counts = ["available": 0, "ejected": 0, "not_serving": 0]
        for endpoint in endpoints {
            if let until = endpoint.ejectedUntil, until > now {
                counts["ejected", default: 0] += 1
            } else if endpoint.notServing {
                counts["not_serving", default: 0] += 1
            } else {
                counts["available", default: 0] += 1
            }
        }
        for (state, count) in counts {
            registry.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "isid",
                    subsystem: "gateway",
                    metricName: "upstream",
                    unitName: "endpoints",
                    helpText: "Upstream endpoints by state: available, ejected, not_serving."
                ),
                labels: [("grpc_service", service), ("state", state)]
            ).set(Double(count))
        }
    }

    func rateLimited(_ method: MethodDescriptor) {
        registry.makeCounter(
            descriptor: Self.counter("rate_limited", "Calls refused by the gateway's rate limits."),
            labels: [("grpc_service", method.service), ("grpc_method", method.method)]
        ).increment()
    }

    /// A conditional GET answered 304: by the gateway from the services' followed revisions, or after the
    /// call, whose answer had the ETag the client sent.
    func notModified(path: String, withoutCall: Bool) {
        let parts = path.split(separator: "/")
        registry.makeCounter(
            descriptor: Self.counter(
                "not_modified",
                "GET answers 304 Not Modified, by who answered: gateway or upstream."
            ),
            labels: [
                ("grpc_service", parts.first.map(String.init) ?? ""),
                ("grpc_method", parts.last.map(String.init) ?? ""),
                ("answered_by", withoutCall ? "gateway" : "upstream"),
            ]
        ).increment()
    }

    func upstream(_ event: BalancedTransport.Event, service: String) {
        switch event {
        case .endpoint(.ejected(let address, _)):
            registry.makeCounter(
                descriptor: Self.counter("upstream_ejections", "Upstream endpoints taken out of rotation."),
                labels: [("grpc_service", service), ("endpoint", address.description)]
            ).increment()
        case .endpoint(.restored(let address)):
            registry.makeCounter(
                descriptor: Self.counter("upstream_restorations", "Upstream endpoints back in rotation."),
                labels: [("grpc_service", service), ("endpoint", address.description)]
            ).increment()
        case .retried(let method, _):
            registry.makeCounter(
                descriptor: Self.counter("upstream_retries", "Upstream calls tried again on another endpoint."),
                labels: [("grpc_service", method.service), ("grpc_method", method.method)]
            ).increment()
        case .resolutionFailed:
            registry.makeCounter(
                descriptor: Self.counter("upstream_resolution_failures", "Failed lookups of an upstream's endpoints."),
                labels: [("grpc_service", service)]
            ).increment()
        case .endpoint(.added), .endpoint(.removed):
            break
        }
    }
}
