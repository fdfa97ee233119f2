import IsidTestSupport
import NIOCore
import Prometheus
import RPCCore
import RPCObservability
import Testing

@Suite("Metrics of catch-all calls", .timeLimit(.minutes(1)))
struct CatchAllMetricsTests {
    @Test("calls to paths nobody registered are counted per path, and the paths counted are bounded")
    func boundedPaths() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = GRPCServerMetrics(registry: registry)
        var router = RPCRouter()
        router.registerPassthrough { _, responses, _ in try await responses.write(PassthroughMessage(bytes: .init())) }
        let client = RPCClient(transport: InProcessTransport(router: router.observed(by: metrics)))
        for index in 0..<300 {
            let method = MethodDescriptor(service: "probe.Service\(index)", method: "Get", kind: .unary)
            _ = try await client.unary(method, request: RawMessage(""), responseType: RawMessage.self)
        }
        let text = registry.emitToString()
        #expect(text.contains(#"grpc_service="probe.Service0",grpc_method="Get""#))
        #expect(!text.contains(#"grpc_service="probe.Service299""#))
        #expect(
            text.contains(
                #"grpc_server_started_total{grpc_type="bidi_stream",grpc_service="unknown",grpc_method="unknown"} 44"#
            )
        )
        // 256 paths and the overflow, each with its started counter and one handled counter for OK.
        #expect(metrics.cachedHandleCount == 2 * 257)
    }
}
