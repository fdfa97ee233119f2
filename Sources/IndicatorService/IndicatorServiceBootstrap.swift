import IndicatorServiceKit
import IsidStorage
import Logging
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

    static func openSeeded(_ location: DatabaseLocation, dataDirectory: String, logger: Logger) async throws -> Opened {
        let opened = try await openStore(location, logger: logger)
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
    static func openStore(_ location: DatabaseLocation, logger: Logger) async throws -> Opened {
        switch location {
        case .sqlite(let path):
            let store = try SQLiteIndicatorStore(path: path)
            return Opened(store: store, services: [], notifier: store.notifier)
        case .postgres(let settings):
            logger.info("Using PostgreSQL", metadata: ["database": "\(settings)"])
            let pool = try PostgresPool(settings, logger: logger)
            pool.start()
            let store = try await PostgresIndicatorStore.open(pool, logger: logger)
            return Opened(store: store, services: [pool, store.listener], notifier: store.notifier)
        }
    }
}
