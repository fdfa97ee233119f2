import ArgumentParser
import ServerSupport

/// Where the database is.
struct ParityStorageOptions: ParsableArguments {
    @Option(help: "SQLite database file; created, migrated and seeded if new (env ISID_DATABASE).")
    var database: String = environment("ISID_DATABASE") ?? ""

    mutating func validate() throws {
        guard !database.isEmpty else { throw ValidationError("--database PATH (or ISID_DATABASE) is required.") }
    }
}
