import ArgumentParser
import IsidStorage
import ServerSupport
import ServiceStorage

/// Where the database and the shipped data are.
struct StorageOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(help: "Directory of the shipped SDG 9 CSV files, relative to the working directory (env ISID_DATA_DIR).")
    var dataDir: String = environment("ISID_DATA_DIR") ?? "Data/sdg9"

    func location() throws -> DatabaseLocation { try database.location() }
}
