import ArgumentParser
import IsidStorage
import ProgrammeServiceKit
import ServerSupport
import ServiceStorage

/// Where the database and the shipped data are.
struct ProgrammeStorageOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(
        help: """
            The economies file naming countries as IndicatorService does, relative to the working directory \
            (env ISID_ECONOMIES_FILE).
            """
    )
    var economiesFile: String = environment("ISID_ECONOMIES_FILE") ?? "Data/sdg9/economies.csv"

    /// The store, migrated (for the import and migrate commands; the server seeds it too).
    func openStore() async throws -> OpenedStore<any ProgrammeStore> {
        try await ProgrammeServiceBootstrap.openStore(try database.location())
    }
}
