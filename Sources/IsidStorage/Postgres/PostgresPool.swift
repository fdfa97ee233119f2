public import Logging
import NIOSSL
public import PostgresNIO
public import ServiceLifecycle
import Synchronization

/// A service's PostgreSQL database as a pool of connections (postgres-nio's `PostgresClient`) made from
/// ``PostgresSettings``. The pool serves queries only while it runs: ``start()`` it before the server opens
/// (migrations and seeding need it), and run it beside the server as a lifecycle `Service`, which keeps it
/// until the server has drained and then closes its connections.
///
/// When the server is down, queries fail at once with a connection error (which services answer as
/// UNAVAILABLE), and the pool connects again by itself on the next query once the server is back.
public final class PostgresPool: Service, Sendable {
    public let settings: PostgresSettings
    public let client: PostgresClient
    let logger: Logger

    public init(_ settings: PostgresSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
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
    private let running = Mutex<Task<Void, Never>?>(nil)

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

    /// Keeps the pool until graceful shutdown (or cancellation), then closes it.
    public func run() async throws {
        start()
        try? await gracefulShutdown()
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
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError, error.rollbackError == nil { throw inner }
            throw error
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
