public import ArgumentParser
public import IsidStorage
import ServerSupport

/// `--database`, the same for every service: a SQLite file or a PostgreSQL server.
public struct DatabaseOptions: ParsableArguments {
    @Option(
        help: """
            The database: a SQLite file (a path or sqlite:PATH; created, migrated and seeded if new) or a PostgreSQL \
            server (postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require&pool_size=10; migrated and seeded \
            if new) (env ISID_DATABASE_URL or ISID_DATABASE).
            """
    )
    public var database: String = environment("ISID_DATABASE_URL") ?? environment("ISID_DATABASE") ?? ""

    public init() {}

    public mutating func validate() throws {
        guard !database.isEmpty else {
            throw ValidationError("--database PATH or URL (or ISID_DATABASE_URL, ISID_DATABASE) is required.")
        }
        _ = try location()
    }

    /// The database as a location; the error names the setting.
    public func location() throws -> DatabaseLocation {
        do {
            return try DatabaseLocation(database)
        } catch {
            throw ValidationError("--database (ISID_DATABASE_URL, ISID_DATABASE): \(error)")
        }
    }
}
