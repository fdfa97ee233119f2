import Foundation
import IsidStorage
import Logging
import ProgrammeServiceKit
import Prometheus
import ServerSupport
import ServiceStorage

/// Opens the database, seeding it with the shipped data: the report's programmes and figures (each dataset
/// once), and the IATI activities when no programme came from elsewhere yet.
enum ProgrammeServiceBootstrap {
    static func openSeeded(
        _ location: DatabaseLocation,
        seedFile: String,
        reportFiles: [String],
        countries: CountryDirectory,
        logger: Logger,
        metrics: PrometheusCollectorRegistry
    ) async throws -> OpenedStore<any ProgrammeStore> {
        let opened = try await openStore(location, logger: logger, metrics: metrics)
        let store = opened.store
        let needsActivities = try await store.isEmpty()
        for file in reportFiles where !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationErrorText("cannot read the reported dataset \(file)")
            }
            let dataset = try ReportedDataset(json: data, countries: countries)
            if try await store.seed(dataset, actor: "") {
                logger.info(
                    "Seeded a reported dataset",
                    metadata: [
                        "file": "\(file)", "programmes": "\(dataset.programmes.count)",
                        "figures": "\(dataset.figures.count)",
                    ]
                )
            }
        }
        guard needsActivities, !seedFile.isEmpty else { return opened }
        guard let data = FileManager.default.contents(atPath: seedFile) else {
            throw ValidationErrorText("cannot read the seed file \(seedFile)")
        }
        let read = try IATIReader.read(data, file: seedFile, countries: countries)
        let outcome = try await store.importActivities(read.programmes, actor: "")
        logger.info(
            "Seeded the database",
            metadata: [
                "file": "\(seedFile)", "activities": "\(read.programmes.count)", "created": "\(outcome.created)",
                "warnings": "\(read.warnings.count)",
            ]
        )
        return opened
    }

    /// The store, migrated; on PostgreSQL with its pool started and its change listener.
    static func openStore(
        _ location: DatabaseLocation,
        logger: Logger = Logger(label: "programme-service"),
        metrics: PrometheusCollectorRegistry? = nil
    ) async throws -> OpenedStore<any ProgrammeStore> {
        try await OpenedStore.open(
            location,
            logger: logger,
            metrics: metrics,
            sqlite: { path in
                let store = try SQLiteProgrammeStore(path: path)
                return (store, store.notifier)
            },
            postgres: { pool in
                let store = try await PostgresProgrammeStore.open(pool, logger: logger)
                return (store, store.notifier, store.listener)
            }
        )
    }
}

/// An error whose description is its text.
struct ValidationErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
