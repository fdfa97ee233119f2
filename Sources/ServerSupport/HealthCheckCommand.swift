public import ArgumentParser

/// `health-check`: exits 0 when the server at --host/--port says SERVING for itself as a whole
/// (grpc.health.v1, service ""), 1 otherwise. What container probes and Compose health checks run.
public struct HealthCheckCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "health-check",
        abstract: "Exit 0 if the server at --host/--port reports SERVING (grpc.health.v1), 1 otherwise."
    )

    @OptionGroup public var options: HealthCheckOptions

    public init() {}

    public func run() async throws {
        try await options.check(service: "")
    }
}
