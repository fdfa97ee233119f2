import IsidSync
public import Logging
import NIOSSL
public import PostgresNIO
public import ServiceLifecycle

/// A service's PostgreSQL database as a pool of connections (postgres-nio's `PostgresClient`) made from
/// ``PostgresSettings``. The pool serves queries only while it runs: ``start()`` it before the server opens
/// (migrations and seeding need it), and run it beside the server as a lifecycle `Service`, which keeps it
/// until the server has drained and then closes its connections.
///
/// While it runs it probes the server every second (`SELECT 1`, one second to answer). Once a probe fails,
/// every call through ``withConnection(_:)``, ``query(_:)`` or ``withTransaction(logger:_:)`` fails at once
/// with ``DatabaseUnavailableError`` (services answer UNAVAILABLE) instead of waiting for a connection until
/// its caller's deadline; the first probe that succeeds lets calls through again, and the pool reconnects by
/// itself.
public final class PostgresPool: Service, Sendable {
    public let settings: PostgresSettings
    public let client: PostgresClient
    let logger: Logger
    /// Told whether the server answers: true at start, then at every change.
    let onAvailability: @Sendable (Bool) -> Void

    public init(
        _ settings: PostgresSettings,
        logger: Logger,
        onAvailability: @escaping @Sendable (_ reachable: Bool) -> Void = { _ in }
    ) throws {
        self.settings = settings
        self.logger = logger
        self.onAvailability = onAvailability
        var configuration = PostgresClient.Configuration(
            host: settings.host,
            port: settings.port,
            username: settings.username,
            password: settings.password,
            database: settings.database,
            tls: try Self.tls(settings)
        )
        configuration.options.maximumConnections = settings.poolSize
        configuration.options.connectTimeout = .seconds(settings.connectTimeoutSeconds)
        if let timeout = settings.statementTimeoutMilliseconds {
            configuration.options.additionalStartupParameters = [("statement_timeout", String(timeout))]
        }
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// The client's own task, once started. Unstructured because the pool must serve the start-up work that
    /// comes before the server's service group exists; ``run()`` ends it.
    private let running = Lock<Task<Void, Never>?>(nil)

    /// When the last probe failed; nil while the server answers.
    private let unreachableSince = Lock<ContinuousClock.Instant?>(nil)

    /// Throws ``DatabaseUnavailableError`` while the last probe failed.
    public func checkAvailable() throws(DatabaseUnavailableError) {
        if let since = unreachableSince.withLock({ $0 }) {
            throw DatabaseUnavailableError(database: settings.description, since: since)
        }
    }

    /// Whether the server answered the last probe.
    public var isAvailable: Bool { unreachableSince.withLock { $0 == nil } }

    /// A connection for `body`, unless the server is known to be unreachable.
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try checkAvailable()
        do {
            return try await client.withConnection(body)
        } catch {
            throw unavailable(ifLost: error)
        }
    }

    /// Runs `query`, unless the server is known to be unreachable.
    @discardableResult
    public func query(_ query: PostgresQuery, logger: Logger) async throws -> PostgresRowSequence {
        try checkAvailable()
        do {
            return try await client.query(query, logger: logger)
        } catch {
            throw unavailable(ifLost: error)
        }
    }

    /// `error`, or ``DatabaseUnavailableError`` when it says the connection to the server was lost or could not
    /// be made (the server stopped, restarted or is refusing connections): the call may be tried again.
    private func unavailable(ifLost error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        let lost: Bool
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            lost = true
        case .server:
            // SQLSTATE class 08 (connection exception) and 57 (operator intervention: admin_shutdown,
            // cannot_connect_now, ...).
            let state = error.serverInfo?[.sqlState] ?? ""
            lost = state.hasPrefix("08") || state.hasPrefix("57")
        default:
            lost = false
        }
        guard lost else { return error }
        mark(reachable: false)
        return DatabaseUnavailableError(database: settings.description, since: unreachableSince.withLock { $0 } ?? .now)
    }

    /// Records whether the server answers; on a change, logs it and tells ``onAvailability``.
    private func mark(reachable: Bool) {
        let changed = unreachableSince.withLock { since -> Bool in
            let was = since == nil
            if reachable { since = nil } else if since == nil { since = .now }
            return was != reachable
        }
        guard changed else { return }
        onAvailability(reachable)
        if reachable {
            logger.notice("Database reachable again", metadata: ["database": "\(settings)"])
        } else {
            logger.error("Database unreachable; calls fail with UNAVAILABLE", metadata: ["database": "\(settings)"])
        }
    }

    /// Probes the server once a second until cancelled.
    private func probe() async {
        while !Task.isCancelled {
            let answered = await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await self.client.query("SELECT 1", logger: self.logger)) != nil }
                group.addTask {
                    try? await Task.sleep(for: .seconds(1))
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            mark(reachable: answered)
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Starts serving queries (idempotent).
    public func start() {
        running.withLock { task in
            if task == nil { task = Task { await self.client.run() } }
        }
    }

    /// Closes the pool's connections, outside a service group (a command that ran once).
    public func stop() {
        running.withLock { $0?.cancel() }
    }

    /// Keeps the pool, probing the server, until graceful shutdown (or cancellation), then closes it.
    public func run() async throws {
        start()
        onAvailability(isAvailable)
        let prober = Task { await probe() }
        try? await gracefulShutdown()
        prober.cancel()
        await prober.value
        let task = running.withLock { $0 }
        task?.cancel()
        await task?.value
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws, and then its own
    /// error rethrown (postgres-nio wraps it, which would hide a domain error such as INVALID_ARGUMENT).
    public func withTransaction<Result: Sendable>(
        logger: Logger,
        _ body: (PostgresConnection) async throws -> sending Result
    ) async throws -> sending Result {
        try checkAvailable()
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError, error.rollbackError == nil { throw unavailable(ifLost: inner) }
            throw unavailable(ifLost: error.closureError ?? error.beginError ?? error.commitError ?? error)
        } catch {
            throw unavailable(ifLost: error)
        }
    }

    /// libpq's `sslmode` as swift-nio-ssl settings: `prefer` and `require` encrypt without checking the
    /// certificate (as libpq does), `verify-full` checks it against the system's CAs or `sslrootcert`.
    private static func tls(_ settings: PostgresSettings) throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch settings.tls {
        case .disable:
            return .disable
        case .prefer:
            tls.certificateVerification = .none
            return .prefer(tls)
        case .require:
            tls.certificateVerification = .none
            return .require(tls)
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            if let file = settings.rootCertificateFile {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            }
            return .require(tls)
        }
    }
}

/// The database did not answer its last probe: the call was not tried.
public struct DatabaseUnavailableError: Error, CustomStringConvertible {
    public let database: String
    public let since: ContinuousClock.Instant

    public var description: String {
        "the database \(database) is unreachable (for \(ContinuousClock.now - since)); try again shortly"
    }
}
