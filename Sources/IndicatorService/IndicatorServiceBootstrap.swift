import IndicatorServiceKit
import IsidStorage
import Logging
import Prometheus
import ServiceLifecycle

/// Opens the store where `--database` says, migrates it, and seeds it on first start.
enum IndicatorServiceBootstrap {
    /// The store, and what must run beside the server for it (a PostgreSQL pool and its change listener).
    struct Opened {
        let store: any IndicatorStore
        let services: [any Service]
        /// Wakes the store's watchers for good when the server drains.
        let notifier: ChangeNotifier
    }

    static func openSeeded(
        _ location: DatabaseLocation,
        dataDirectory: String,
        logger: Logger,
        metrics: PrometheusCollectorRegistry
    ) async throws -> Opened {
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

    /// Runs `body` with the store (migrated) outside a server: for the import and migrate commands.
    static func withStore(
        _ location: DatabaseLocation,
        _ body: (any IndicatorStore) async throws -> Void
    ) async throws {
        let opened = try await openStore(location, logger: Logger(label: "indicator-service"))
        defer {
            for case let pool as PostgresPool in opened.services { pool.stop() }
        }
        try await body(opened.store)
    }

    /// The store, migrated; a PostgreSQL pool is started here (migrations need it) and returned to run.
    static func openStore(
        _ location: DatabaseLocation,
        logger: Logger,
        metrics: PrometheusCollectorRegistry? = nil
    ) async throws -> Opened {
        switch location {
        case .sqlite(let path):
            let store = try SQLiteIndicatorStore(path: path)
            return Opened(store: store, services: [], notifier: store.notifier)
        case .postgres(let settings):
            logger.info("Using PostgreSQL", metadata: ["database": "\(settings)"])
            // isid_database_up: 1 while the server answers the pool's probes, 0 while calls fail UNAVAILABLE.
            let up = metrics?.makeGauge(
                descriptor: MetricNameDescriptor(
                    namespace: "isid",
                    metricName: "database",
                    unitName: "up",
                    helpText: "Whether the service's database answers (1) or not (0)."
                ),
                labels: [("backend", "postgresql")]
            )
            let pool = try PostgresPool(settings, logger: logger) { reachable in up?.set(Double(reachable ? 1 : 0)) }
            pool.start()
            let store = try await PostgresIndicatorStore.open(pool, logger: logger)
            return Opened(store: store, services: [pool, store.listener], notifier: store.notifier)
        }
    }
}
