public import ArgumentParser
public import Prometheus
public import RPCCore

/// `--response-cache-mib`: how much of a service's repeated read answers it keeps as bytes.
public struct ResponseCacheOptions: ParsableArguments {
    @Option(
        help: """
            MiB of encoded answers to repeated reads kept for the current data version (cleared at every commit); \
            0 turns the cache off (env ISID_RESPONSE_CACHE_MIB).
            """
    )
    public var responseCacheMib: Int = environment("ISID_RESPONSE_CACHE_MIB").flatMap { Int($0) } ?? 64

    public init() {}

    public mutating func validate() throws {
        try requireIntegers(inEnvironment: "ISID_RESPONSE_CACHE_MIB")
        guard responseCacheMib >= 0 else { throw ValidationError("--response-cache-mib must not be negative.") }
    }

    /// The cache for `methods`, whose answers depend only on the request and `version`; nil when turned off.
    /// Counts lookups as `isid_response_cache_lookups_total{grpc_service, grpc_method, result="hit"|"miss"}`.
    public func interceptor(
        methods: [MethodDescriptor],
        metrics: PrometheusCollectorRegistry,
        version: @escaping @Sendable () async throws -> Int64
    ) -> ResponseCacheInterceptor? {
        guard responseCacheMib > 0 else { return nil }
        var counters: [MethodDescriptor: (hit: Counter, miss: Counter)] = [:]
        for method in methods {
            func counter(_ result: String) -> Counter {
                metrics.makeCounter(
                    descriptor: MetricNameDescriptor(
                        namespace: "isid",
                        subsystem: "response_cache",
                        metricName: "lookups",
                        unitName: "total",
                        helpText: "Lookups of repeated reads in the response cache, by result: hit or miss."
                    ),
                    labels: [("grpc_service", method.service), ("grpc_method", method.method), ("result", result)]
                )
            }
            counters[method] = (counter("hit"), counter("miss"))
        }
        return ResponseCacheInterceptor(
            methods: methods,
            maximumBytes: responseCacheMib << 20,
            version: version,
            onLookup: { [counters] method, hit in
                if let pair = counters[method] { (hit ? pair.hit : pair.miss).increment() }
            }
        )
    }
}
