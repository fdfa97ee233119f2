import ArgumentParser
import ServerSupport

/// Where the database and the shipped data are.
struct ProgrammeStorageOptions: ParsableArguments {
    @Option(help: "SQLite database file; created, migrated and seeded if new (env ISID_DATABASE).")
    var database: String = environment("ISID_DATABASE") ?? ""

    @Option(
        help: """
            The economies file naming countries as IndicatorService does, relative to the working directory \
            (env ISID_ECONOMIES_FILE).
            """
    )
    var economiesFile: String = environment("ISID_ECONOMIES_FILE") ?? "Data/sdg9/economies.csv"

    mutating func validate() throws {
        guard !database.isEmpty else { throw ValidationError("--database PATH (or ISID_DATABASE) is required.") }
    }
}
