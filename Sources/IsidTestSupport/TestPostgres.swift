import Foundation
public import IsidStorage
import Logging
import PostgresNIO

/// The PostgreSQL server of the storage tests, from `ISID_TEST_POSTGRES_URL` (scripts/test-postgres.sh).
public enum TestPostgres {
    public static var url: String? {
        ProcessInfo.processInfo.environment["ISID_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Runs `body` with a database of its own, made for it on the test server and dropped afterwards, and
    /// its pool running.
    public static func withDatabase<Result: Sendable>(
        _ body: (PostgresPool) async throws -> Result
    ) async throws -> Result {
        guard let url else { throw TestPostgresError.notConfigured }
        guard case .postgres(let admin) = try DatabaseLocation(url) else { throw TestPostgresError.notConfigured }
        let logger = Logger(label: "test")
        let name = "isid_t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await withPool(admin, logger) { client in
            try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        var settings = admin
        settings.database = name
        do {
            let database = try PostgresPool(settings, logger: logger)
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await database.client.run() }
                defer { group.cancelAll() }
                return try await body(database)
            }
            try await drop(name, admin, logger)
            return result
        } catch {
            try? await drop(name, admin, logger)
            throw error
        }
    }

    private static func drop(_ name: String, _ admin: PostgresSettings, _ logger: Logger) async throws {
        try await withPool(admin, logger) { client in
            try await client.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"),
                logger: logger
            )
        }
    }

    private static func withPool(
        _ settings: PostgresSettings,
        _ logger: Logger,
        _ body: @Sendable (PostgresClient) async throws -> Void
    ) async throws {
        let database = try PostgresPool(settings, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            try await body(database.client)
        }
    }
}

public enum TestPostgresError: Error {
    case notConfigured
}
