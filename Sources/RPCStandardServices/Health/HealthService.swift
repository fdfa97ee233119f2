import ProtobufRuntime
public import RPCCore
import StandardProtos

/// grpc.health.v1.Health, as Kubernetes gRPC probes, grpc_health_probe and load balancers call it.
public struct HealthService: RPCService {
    public let registry: HealthStatusRegistry

    public static let check = MethodDescriptor(service: "grpc.health.v1.Health", method: "Check", kind: .unary)
    public static let watch = MethodDescriptor(
        service: "grpc.health.v1.Health",
        method: "Watch",
        kind: .serverStreaming
    )

    public init(registry: HealthStatusRegistry) {
        self.registry = registry
    }

    public func registerMethods(with router: inout RPCRouter) {
        let registry = self.registry
        router.registerUnary(Self.check) {
            (request: Grpc_Health_V1_HealthCheckRequest, _) -> Grpc_Health_V1_HealthCheckResponse in
            guard let status = registry.status(forService: request.service) else {
                throw RPCError(code: .notFound, message: "Unknown service '\(request.service)'.")
            }
            return .with { $0.status = status }
        }
        router.registerServerStreaming(Self.watch) {
            (
                request: Grpc_Health_V1_HealthCheckRequest,
                responses: ResponseWriter<Grpc_Health_V1_HealthCheckResponse>,
                _
            ) in
            for await status in registry.watch(service: request.service) {
                try await responses.write(.with { $0.status = status })
            }
        }
    }
}
