public import ArgumentParser
import ProtobufRuntime
import RPCCore
import RPCHTTP2
import StandardProtos

/// What every Isid executable's `health-check` subcommand takes: for container probes, which ask a running
/// server's grpc.health.v1 whether a service is SERVING.
public struct HealthCheckOptions: ParsableArguments, Sendable {
    @Option(help: "Server address (env ISID_HOST).")
    public var host: String = environment("ISID_HOST") ?? "127.0.0.1"

    @Option(help: "Server port (env ISID_PORT).")
    public var port: Int = environment("ISID_PORT").flatMap { Int($0) } ?? 0

    @Option(help: "Seconds to wait for the answer.")
    public var timeoutSeconds: Int = 5

    public init() {}

    /// Asks for `service`'s health; prints it, and exits 1 unless SERVING.
    public func check(service: String) async throws {
        let channel = GRPCChannel(
            configuration: ClientConfiguration(host: host, port: port, connectTimeout: .seconds(timeoutSeconds))
        )
        let status: Grpc_Health_V1_HealthCheckResponse.ServingStatus
        do {
            let response = try await Grpc_Health_V1_Health.Client(RPCClient(transport: channel)).check(
                .with { $0.service = service },
                options: CallOptions(timeout: .seconds(timeoutSeconds))
            )
            status = response.status
        } catch {
            await channel.close()
            print("health-check: \(error)")
            throw ExitCode.failure
        }
        await channel.close()
        print("health-check: \(status)")
        if status != .serving { throw ExitCode.failure }
    }
}
