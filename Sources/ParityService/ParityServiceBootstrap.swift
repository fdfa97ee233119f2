import IsidStorage
import Logging
import ParityServiceKit
import Prometheus
import ServerSupport
import ServiceStorage

/// Opens the store where `--database` says, migrates it, and seeds it from the seed file on first start.
enum ParityServiceBootstrap {
    static func openSeeded(
        _ location: DatabaseLocation,
        seedFile: String,
        logger: Logger,
        metrics: PrometheusCollectorRegistry
    ) async throws -> OpenedStore<any ParityStore> {
        let opened = try await openStore(location, logger: logger, metrics: metrics)
        if !seedFile.isEmpty, try await opened.store.isEmpty(),
            let seeded = try await ParitySeed.read(file: seedFile).applyIfEmpty(to: opened.store)
        {
            logger.info("Seeded the database", metadata: ["file": "\(seedFile)", "events": "\(seeded)"])
        }
        return opened
    }

    /// The store, migrated; on PostgreSQL with its pool started and its change listener.
    static func openStore(
        _ location: DatabaseLocation,
        logger: Logger = Logger(label: "parity-service"),
        metrics: PrometheusCollectorRegistry? = nil
    ) async throws -> OpenedStore<any ParityStore> {
        try await OpenedStore.open(
            location,
            logger: logger,
            metrics: metrics,
            sqlite: { path in
                let store = try SQLiteParityStore(path: path)
                return (store, store.notifier)
            },
            postgres: { pool in
                let store = try await PostgresParityStore.open(pool, logger: logger)
                return (store, store.notifier, store.listener)
            }
        )
    }
}
