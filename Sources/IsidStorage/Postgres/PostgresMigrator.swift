public import Logging
public import PostgresNIO

/// One step of a service's PostgreSQL schema: a name that never changes once released, and its statements
/// (one SQL statement each: the extended query protocol runs one at a time).
public struct PostgresMigration: Sendable {
    public let name: String
    public let statements: [String]

    public init(_ name: String, _ statements: [String]) {
        self.name = name
        self.statements = statements
    }
}

/// Applies a service's migrations at start: each not yet applied, in order, in a transaction of its own, and
/// recorded in `isid_migrations`. Replicas starting at once take turns: the whole run holds a session-level
/// advisory lock named for the service, so the second waits, then finds everything applied.
public struct PostgresMigrator: Sendable {
    public let service: String
    public let migrations: [PostgresMigration]

    public init(service: String, migrations: [PostgresMigration]) {
        self.service = service
        self.migrations = migrations
    }

    /// Applies what is missing; returns the names applied now.
    @discardableResult
    public func migrate(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            let lock = PostgresLockKey.of("isid-migrations:\(service)")
            try await connection.query("SELECT pg_advisory_lock(\(lock))", logger: logger)
            do {
                let applied = try await apply(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(lock))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lock))", logger: logger)
                throw error
            }
        }
    }

    /// Names of the applied migrations, oldest first.
    public func applied(_ client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in try await applied(on: connection, logger: logger) }
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS isid_migrations (
                service TEXT NOT NULL,
                name TEXT NOT NULL,
                applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (service, name)
            )
            """,
            logger: logger
        )
        let done = Set(try await applied(on: connection, logger: logger))
        var appliedNow: [String] = []
        for migration in migrations where !done.contains(migration.name) {
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in migration.statements {
                    try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await transaction.query(
                    "INSERT INTO isid_migrations (service, name) VALUES (\(service), \(migration.name))",
                    logger: logger
                )
            }
            logger.info("Migration applied", metadata: ["migration": "\(migration.name)"])
            appliedNow.append(migration.name)
        }
        return appliedNow
    }

    private func applied(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let exists =
            try await connection.query(
                "SELECT to_regclass('isid_migrations') IS NOT NULL",
                logger: logger
            ).collect().first?.decode(Bool.self) ?? false
        guard exists else { return [] }
        var names: [String] = []
        let rows = try await connection.query(
            "SELECT name FROM isid_migrations WHERE service = \(service) ORDER BY applied_at, name",
            logger: logger
        )
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }
}

/// The 64-bit key of an advisory lock, from a name (FNV-1a): the same name, the same lock in every process.
public enum PostgresLockKey {
    public static func of(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
