import ArgumentParser
import ServerSupport

/// `gateway`: the one front door for machines, in front of every Isid service.
@main
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Routes gRPC calls to Isid's services: balancing, API keys and scopes, rate limits, metrics.",
        subcommands: [Serve.self, HashKey.self, HealthCheckCommand.self],
        defaultSubcommand: Serve.self
    )
}
