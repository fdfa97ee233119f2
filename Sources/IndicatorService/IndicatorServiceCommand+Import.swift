import ArgumentParser
import IndicatorServiceKit
import IsidStorage
import Logging
import ServerSupport
import ServiceStorage

extension IndicatorServiceCommand {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the shipped SDG 9 data into the database (idempotent: unchanged rows are skipped)."
        )

        @OptionGroup var storage: StorageOptions

        @Flag(
            help: """
                Withdraw stored observations the data no longer holds (a newer release dropped them): each is \
                removed and logged as a withdrawal. Off by default: partial files are normal.
                """
        )
        var withdrawMissing = false

        func run() async throws {
            try await IndicatorServiceBootstrap.openStore(try storage.location()).use { store in
                // An ImportError says which file and line; ArgumentParser prints it as "Error: ..." and exits 1.
                let importer = DataImporter(dataDirectory: storage.dataDir, withdrawsMissing: withdrawMissing)
                let summary = try await importer.run(into: store, currentYear: CalendarYear.current)
                print("imported \(storage.dataDir) into \(try storage.location()): \(summary)")
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or migrate the database schema, then list the applied migrations."
        )

        @OptionGroup var storage: StorageOptions

        func run() async throws {
            try await IndicatorServiceBootstrap.openStore(try storage.location()).use { store in
                for name in try await store.appliedMigrations() { print(name) }
            }
        }
    }
}
