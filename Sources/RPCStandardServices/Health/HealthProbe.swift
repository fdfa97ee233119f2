import ProtobufRuntime
public import RPCCore
import StandardProtos

/// The active health check a ``BalancedTransport`` runs against each endpoint: grpc.health.v1 `Check`.
public enum GRPCHealthProbe {
    /// Checks `service` ("" for the server as a whole). SERVING keeps the endpoint in rotation; any other
    /// answer takes it out until it says SERVING again; no answer in time (UNAVAILABLE, DEADLINE_EXCEEDED)
    /// counts as unreachable and ejects it.
    public static func make(service: String = "") -> BalancedTransport.HealthProbe {
        { transport, timeout in
            let client = Grpc_Health_V1_Health.Client(transport: transport)
            do {
                let response = try await client.check(
                    .with { $0.service = service },
                    options: CallOptions(timeout: timeout)
                )
                return response.status == .serving ? .serving : .notServing
            } catch let error as RPCError where error.code == .unavailable || error.code == .deadlineExceeded {
                return .unreachable
            } catch {
                return .notServing
            }
        }
    }
}
