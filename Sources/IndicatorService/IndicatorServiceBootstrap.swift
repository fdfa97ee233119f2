import IndicatorServiceKit
import IsidStorage
import Logging
import Prometheus
import ServerSupport
import ServiceStorage

/// Opens the store where `--database` says, migrates it, and seeds it on first start.
enum IndicatorServiceBootstrap {
    static func openSeeded(
        _ location: DatabaseLocation,
        dataDirectory: String,
        logger: Logger,
        metrics: PrometheusCollectorRegistry
    ) async throws -> OpenedStore<any IndicatorStore> {
        let opened = try await openStore(location, logger: logger, metrics: metrics)
        if try await opened.store.isEmpty() {
            logger.info("Empty database: importing the shipped data", metadata: ["data_dir": "\(dataDirectory)"])
            let summary = try await DataImporter(dataDirectory: dataDirectory).run(
                into: opened.store,
                currentYear: CalendarYear.current
            )
            logger.info("Imported", metadata: ["summary": "\(summary)"])
        }
        return opened
    }

    /// The store, migrated; on PostgreSQL with its pool started and its change listener.
    static func openStore(
        _ location: DatabaseLocation,
        logger: Logger = Logger(label: "indicator-service"),
        metrics: PrometheusCollectorRegistry? = nil
    ) async throws -> OpenedStore<any IndicatorStore> {
        try await OpenedStore.open(
            location,
            logger: logger,
            metrics: metrics,
            sqlite: { path in
                let store = try SQLiteIndicatorStore(path: path)
                return (store, store.notifier)
            },
            postgres: { pool in
                let store = try await PostgresIndicatorStore.open(pool, logger: logger)
                return (store, store.notifier, store.listener)
            }
        )
    }
}
