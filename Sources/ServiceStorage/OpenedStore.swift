public import IsidStorage
public import Logging
public import Prometheus
public import ServiceLifecycle

/// A service's store opened where `--database` says, with what must run beside the server for it: on
/// PostgreSQL, the pool and the change listener that wakes this replica's watchers on every replica's commits.
public struct OpenedStore<Store: Sendable>: Sendable {
    public let store: Store
    /// Wakes the store's watchers for good when the server drains.
    public let notifier: ChangeNotifier
    public let pool: PostgresPool?
    public let listener: PostgresChangeListener?

    public init(
        store: Store,
        notifier: ChangeNotifier,
        pool: PostgresPool? = nil,
        listener: PostgresChangeListener? = nil
    ) {
        self.store = store
        self.notifier = notifier
        self.pool = pool
        self.listener = listener
    }

    /// To run beside the server, as its background services.
    public var services: [any Service] { [pool as (any Service)?, listener].compactMap { $0 } }

    /// Opens the store at `location`: `sqlite` with the file's path, or `postgres` with a started pool (the
    /// store migrates through it) that exports `isid_database_up{backend="postgresql"}` to `metrics`.
    public static func open(
        _ location: DatabaseLocation,
        logger: Logger,
        metrics: PrometheusCollectorRegistry? = nil,
        sqlite: (String) throws -> (Store, ChangeNotifier),
        postgres: (PostgresPool) async throws -> (Store, ChangeNotifier, PostgresChangeListener)
    ) async throws -> OpenedStore {
        switch location {
        case .sqlite(let path):
            let (store, notifier) = try sqlite(path)
            return OpenedStore(store: store, notifier: notifier)
        case .postgres(let settings):
            logger.info("Using PostgreSQL", metadata: ["database": "\(settings)"])
            // 1 while the server answers the pool's probes, 0 while calls fail UNAVAILABLE.
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
            do {
                let (store, notifier, listener) = try await postgres(pool)
                return OpenedStore(store: store, notifier: notifier, pool: pool, listener: listener)
            } catch {
                pool.stop()
                throw error
            }
        }
    }

    /// Runs `body` with the store outside a server (the import and migrate commands), then closes the pool.
    public func use<Result>(_ body: (Store) async throws -> Result) async throws -> Result {
        defer { pool?.stop() }
        return try await body(store)
    }
}
