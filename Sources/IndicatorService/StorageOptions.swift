import ArgumentParser
import IsidStorage
import ServerSupport

/// Where the database and the shipped data are.
struct StorageOptions: ParsableArguments {
    @Option(
        help: """
            The database: a SQLite file (a path or sqlite:PATH; created, migrated and seeded if new) or a PostgreSQL \
            server (postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require&pool_size=10; migrated and seeded \
            if new) (env ISID_DATABASE_URL or ISID_DATABASE).
            """
    )
    var database: String = environment("ISID_DATABASE_URL") ?? environment("ISID_DATABASE") ?? ""

    @Option(help: "Directory of the shipped SDG 9 CSV files, relative to the working directory (env ISID_DATA_DIR).")
    var dataDir: String = environment("ISID_DATA_DIR") ?? "Data/sdg9"

    mutating func validate() throws {
        guard !database.isEmpty else {
            throw ValidationError("--database PATH or URL (or ISID_DATABASE_URL, ISID_DATABASE) is required.")
        }
        _ = try location()
    }

    /// The database as a location; the error names the setting.
    func location() throws -> DatabaseLocation {
        do {
            return try DatabaseLocation(database)
        } catch {
            throw ValidationError("--database (ISID_DATABASE_URL, ISID_DATABASE): \(error)")
        }
    }
}
