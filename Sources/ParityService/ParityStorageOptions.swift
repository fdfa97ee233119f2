import ArgumentParser
import IsidStorage
import ServerSupport
import ServiceStorage

/// Where the database is: a SQLite file or a PostgreSQL server.
struct ParityStorageOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    func location() throws -> DatabaseLocation { try database.location() }
}
