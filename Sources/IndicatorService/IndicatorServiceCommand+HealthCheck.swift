import ArgumentParser
import ServerSupport

extension IndicatorServiceCommand {
    /// For container probes: exit 0 if the running server reports IndicatorService SERVING.
    struct HealthCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "health-check",
            abstract: "Exit 0 if the server at --host/--port reports SERVING (grpc.health.v1), 1 otherwise."
        )

        @OptionGroup var options: HealthCheckOptions

        func run() async throws {
            try await options.check(service: "isid.indicators.v1.IndicatorService")
        }
    }
}
