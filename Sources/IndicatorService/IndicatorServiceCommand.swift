import ArgumentParser

/// `indicator-service`: SDG 9 industry indicators over gRPC, on an embedded SQLite database.
@main
struct IndicatorServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicator-service",
        abstract: "Serves isid.indicators.v1.IndicatorService: SDG 9 industry indicators, the Isid SDG-9 composite "
            + "and progress to 2030.",
        subcommands: [Serve.self, Import.self, Migrate.self, HealthCheck.self],
        defaultSubcommand: Serve.self
    )
}
