import ArgumentParser
import Foundation
import IsidStorage
import ProgrammeServiceKit
import ServerSupport
import ServiceStorage

extension ProgrammeServiceCommand {
    /// `import-iati --database PATH|URL FILE...`: one line per file; a file that cannot be read stores nothing.
    struct ImportIATI: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-iati",
            abstract: "Import IATI activity XML files (2.01 to 2.03). Re-importing is idempotent."
        )

        @OptionGroup var storage: ProgrammeStorageOptions

        @Argument(help: "IATI activity XML files.")
        var files: [String]

        @Flag(help: "Also print each warning.")
        var verbose = false

        func run() async throws {
            let countries = try CountryDirectory(economiesFile: storage.economiesFile)
            let failed = try await storage.openStore().use { store in try await importFiles(into: store, countries) }
            if failed { throw ExitCode.failure }
        }

        /// Imports each file; returns whether any failed.
        private func importFiles(into store: any ProgrammeStore, _ countries: CountryDirectory) async throws -> Bool {
            var failed = false
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    print("\(file): cannot read the file")
                    failed = true
                    continue
                }
                do {
                    let read = try IATIReader.read(data, file: file, countries: countries)
                    let outcome = try await store.importActivities(read.programmes, actor: "")
                    print(
                        "\(file): \(read.programmes.count) activities (\(outcome.created) new, \(outcome.updated) "
                            + "updated, \(outcome.unchanged) unchanged), \(read.warnings.count) warnings"
                    )
                    if verbose { for warning in read.warnings { print("  \(file): \(warning)") } }
                } catch let error as IATIImportError {
                    print("\(error) (nothing imported from this file)")
                    failed = true
                }
            }
            return failed
        }
    }

    /// `import-rates --database PATH|URL FILE...`: exchange rates for portfolio conversions, from CSV files.
    struct ImportRates: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-rates",
            abstract: "Store exchange rates from CSV files (from_currency,to_currency,rate,date,source); "
                + "the same currencies and date replace a stored rate."
        )

        @OptionGroup var storage: ProgrammeStorageOptions

        @Argument(help: "CSV files of exchange rates.")
        var files: [String]

        func run() async throws {
            try await storage.openStore().use { store in
                for file in files {
                    // An ImportError names the file and line; ArgumentParser prints it and exits 1.
                    let rates = try ExchangeRate.read(csvFile: file)
                    let stored = try await store.putExchangeRates(rates)
                    print("\(file): \(stored) exchange rates")
                }
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or migrate the database schema, then list the applied migrations."
        )

        @OptionGroup var storage: ProgrammeStorageOptions

        func run() async throws {
            try await storage.openStore().use { store in
                for name in try await store.appliedMigrations() { print(name) }
            }
        }
    }

    struct HealthCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "health-check",
            abstract: "Exit 0 if the server at --host/--port reports SERVING (grpc.health.v1), 1 otherwise."
        )

        @OptionGroup var options: HealthCheckOptions

        func run() async throws {
            try await options.check(service: "isid.programmes.v1.ProgrammeService")
        }
    }
}
