public import IsidStorage
public import Logging
import PostgresNIO

/// ParityStore on PostgreSQL: the tables of the SQLite store under PostgreSQL's types, the change log of
/// IsidStorage, and LISTEN/NOTIFY so that a commit through one replica wakes the watchers of every other (run
/// ``listener`` beside the server). Every write takes the change log's lock first, so writes take turns as on
/// SQLite's single writer: what a write reads and checks (an etag, the latest policy) is what it writes over,
/// and revisions commit in order. It appends its parity events (compliance changes included) in the same
/// transaction, notifies the channel last, and wakes this process's watchers after the commit.
public final class PostgresParityStore: ParityStore, PostgresChangeSource {
    public let database: PostgresPool
    public let notifier = ChangeNotifier()
    public let logger: Logger

    /// Parity events: registrations, updates, panel changes, compliance changes, policy publications.
    public static let changeLog = PostgresChangeLog<ParityChange>(channel: "isid_parity_changes")

    /// The schema as versioned migrations.
    public static var migrator: PostgresMigrator { PostgresParityMigrations.migrator }

    /// A store on `database`, whose pool must be running; ``open(_:logger:)`` also migrates.
    public init(database: PostgresPool, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Migrates the database (once, whichever replica starts first) and returns the store.
    public static func open(_ database: PostgresPool, logger: Logger) async throws -> PostgresParityStore {
        try await migrator.migrate(database.client, logger: logger)
        return PostgresParityStore(database: database, logger: logger)
    }

    /// Wakes this replica's watchers on every replica's commits; run it beside the server.
    public var listener: PostgresChangeListener {
        PostgresChangeListener(database: database, channel: Self.changeLog.channel, notifier: notifier, logger: logger)
    }

    public func isEmpty() async throws -> Bool {
        let rows = try await database.query(
            "SELECT ((SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM policies))::BIGINT",
            logger: logger
        )
        for try await count in rows.decode(Int64.self) { return count == 0 }
        return true
    }

    /// Runs `body` holding a session-level advisory lock on a connection of its own: a replica that starts
    /// while another seeds waits, then finds the database no longer empty. The seeding writes need another
    /// connection, so a pool of one cannot hold the lock and runs `body` without it.
    public func whileSeeding<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        guard database.settings.poolSize > 1 else { return try await body() }
        return try await database.withConnection { connection in
            let lock = PostgresLockKey.of("isid-seed:parity")
            try await connection.query("SELECT pg_advisory_lock(\(lock))", logger: self.logger)
            do {
                let result = try await body()
                try await connection.query("SELECT pg_advisory_unlock(\(lock))", logger: self.logger)
                return result
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lock))", logger: self.logger)
                throw error
            }
        }
    }

    /// Names of the applied migrations, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await Self.migrator.applied(database.client, logger: logger)
    }

    // MARK: Transactions

    typealias Log = PostgresChangeLog<ParityChange>.Appender

    /// Runs `body` as one write: a transaction holding the change log's lock from its start, whose appends
    /// notify the channel before the commit and this process's watchers after it.
    func write<Result: Sendable>(
        _ body: (PostgresConnection, Log) async throws -> Result
    ) async throws -> Result {
        let (result, head) = try await database.withTransaction(logger: logger) { connection in
            let log = try await Self.changeLog.appender(in: connection, logger: self.logger)
            let before = log.head
            let result = try await body(connection, log)
            guard log.head > before else { return (result, Int64?.none) }
            try await log.notify()
            return (result, log.head)
        }
        if let head { notifier.publish(revision: head) }
        return result
    }

    /// Runs `body` in a read-only transaction that sees one snapshot throughout, as SQLite's reads do.
    func read<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await database.withTransaction(logger: logger) { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
            return try await body(connection)
        }
    }

    /// The rows of `query`, each made into a value by `make`.
    func rows<Row: Sendable>(
        _ query: PostgresQuery,
        on connection: PostgresConnection,
        _ make: (PostgresRandomAccessRow) throws -> Row
    ) async throws -> [Row] {
        var result: [Row] = []
        for try await row in try await connection.query(query, logger: logger) {
            result.append(try make(row.makeRandomAccess()))
        }
        return result
    }
}
