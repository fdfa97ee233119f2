import ArgumentParser
import ServerSupport

/// Where the database and the shipped data are.
struct StorageOptions: ParsableArguments {
    @Option(help: "SQLite database file; created, migrated and seeded if new (env ISID_DATABASE).")
    var database: String = environment("ISID_DATABASE") ?? ""

    @Option(help: "Directory of the shipped SDG 9 CSV files, relative to the working directory (env ISID_DATA_DIR).")
    var dataDir: String = environment("ISID_DATA_DIR") ?? "Data/sdg9"

    mutating func validate() throws {
        guard !database.isEmpty else { throw ValidationError("--database PATH (or ISID_DATABASE) is required.") }
    }
}
