import ArgumentParser

/// `programme-service`: UNIDO's programmes and projects over gRPC, on an embedded SQLite database.
@main
struct ProgrammeServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "programme-service",
        abstract: "Serves isid.programmes.v1.ProgrammeService: programmes, partners, exact money, the portfolio, "
            + "IATI import and export, and programme results from IndicatorService.",
        subcommands: [Serve.self, ImportIATI.self, ImportRates.self, Migrate.self, HealthCheck.self],
        defaultSubcommand: Serve.self
    )
}
