import IsidTestSupport
import Prometheus
import RPCCore
import RPCObservability
import Testing

@Suite("Prometheus server metrics", .timeLimit(.minutes(1)))
struct GRPCServerMetricsTests {
    @Test("calls are counted by method and code under go-grpc-prometheus names, with HELP lines")
    func countsCallsByCode() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withTestServer(observer: GRPCServerMetrics(registry: registry)) { client, _ in
            for text in ["a", "b"] {
                _ = try await client.unary(Echo.unary, request: RawMessage(text), responseType: RawMessage.self)
            }
            _ = try? await client.unary(Echo.unary, request: RawMessage("fail:5"), responseType: RawMessage.self)
        }
        let text = registry.emitToString()
        let labels = #"grpc_type="unary",grpc_service="test.Echo",grpc_method="Get""#
        #expect(text.contains("grpc_server_started_total{\(labels)} 3"))
        #expect(text.contains(#"grpc_server_handled_total{\#(labels),grpc_code="OK"} 2"#))
        #expect(text.contains(#"grpc_server_handled_total{\#(labels),grpc_code="NotFound"} 1"#))
        #expect(text.contains("grpc_server_handling_seconds_count{\(labels)} 3"))
        #expect(text.contains("# HELP grpc_server_handled_total"))
    }

    @Test("metric handles are made once per method and code, not per call")
    func handlesAreCached() async throws {
        let metrics = GRPCServerMetrics(registry: PrometheusCollectorRegistry())
        try await withTestServer(observer: metrics) { client, _ in
            let atStart = metrics.cachedHandleCount
            #expect(atStart > 0)  // each method's started counter and histogram, made when the server starts
            for text in ["a", "b", "c"] {
                _ = try await client.unary(Echo.unary, request: RawMessage(text), responseType: RawMessage.self)
            }
            #expect(metrics.cachedHandleCount == atStart + 1)  // the method's OK counter, made by the first call
        }
    }
}
