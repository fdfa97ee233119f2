import ArgumentParser

/// `parity-service`: gender-parity events, panels and the panel parity policy over gRPC, on SQLite or
/// PostgreSQL.
@main
struct ParityServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity-service",
        abstract: "Serves isid.parity.v1.ParityService: events, panels, participants, the panel parity policy in "
            + "versions, evaluations, compliance reports and a stream of parity events.",
        subcommands: [Serve.self, Migrate.self, HealthCheck.self],
        defaultSubcommand: Serve.self
    )
}
