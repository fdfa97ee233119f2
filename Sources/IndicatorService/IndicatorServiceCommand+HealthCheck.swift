import ArgumentParser
import ProtobufRuntime
import RPCCore
import RPCHTTP2
import ServerSupport
import StandardProtos

extension IndicatorServiceCommand {
    /// For container probes: asks a running server's grpc.health.v1 whether it is SERVING; exit 0 if so.
    struct HealthCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "health-check",
            abstract: "Exit 0 if the server at --host/--port reports SERVING (grpc.health.v1), 1 otherwise."
        )

        @Option(help: "Server address (env ISID_HOST).")
        var host: String = environment("ISID_HOST") ?? "127.0.0.1"

        @Option(help: "Server port (env ISID_PORT).")
        var port: Int = environment("ISID_PORT").flatMap { Int($0) } ?? 0

        @Option(help: "Seconds to wait for the answer.")
        var timeoutSeconds: Int = 5

        func run() async throws {
            let channel = GRPCChannel(
                configuration: ClientConfiguration(host: host, port: port, connectTimeout: .seconds(timeoutSeconds))
            )
            let status: Grpc_Health_V1_HealthCheckResponse.ServingStatus
            do {
                let response = try await Grpc_Health_V1_Health.Client(RPCClient(transport: channel)).check(
                    .with { $0.service = "isid.indicators.v1.IndicatorService" },
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
}
