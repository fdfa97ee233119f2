import Foundation
import GRDB
import IsidStorage
import IsidTestSupport
import Logging
import PostgresNIO
import Testing

/// A change record for these tests: a sensor (the scope) and its value.
struct Reading: SQLiteChangeRecord, PostgresChangeRecord, Hashable {
    var operation: ChangeOperation
    var sensor: String
    var value: Int

    init(_ sensor: String, _ value: Int, _ operation: ChangeOperation = .inserted) {
        self.operation = operation
        self.sensor = sensor
        self.value = value
    }

    var scope: String { sensor }

    static let columns = [SQLiteColumn("sensor", "TEXT NOT NULL"), SQLiteColumn("value", "INTEGER NOT NULL")]
    static let scopeColumn = "sensor"

    var columnValues: StatementArguments { [sensor, value] }

    init(changeLogRow row: Row, operation: ChangeOperation) {
        self.init(row[2], row[3], operation)
    }

    static let postgresColumns = [
        PostgresColumn("sensor", "TEXT NOT NULL"), PostgresColumn("value", "BIGINT NOT NULL"),
    ]
    static let postgresScopeColumn = "sensor"

    func appendColumnValues(to binds: inout PostgresBindings) throws {
        binds.append(sensor)
        binds.append(Int64(value))
    }

    init(
        changeLogRow row: PostgresRandomAccessRow,
        from offset: Int,
        revision: Int64,
        operation: ChangeOperation
    ) throws {
        self.init(try row[offset].decode(String.self), Int(try row[offset + 1].decode(Int64.self)), operation)
    }
}

/// A change log the tests can write to.
protocol ReadingLog: ChangeSource where Record == Reading {
    /// Appends `readings` in one commit and wakes watchers; returns the new head.
    @discardableResult
    func append(_ readings: [Reading]) async throws -> Int64
}

extension InMemoryChangeLog: ReadingLog where Record == Reading {}

/// The SQLite change log of `Reading`s, in a database of its own, as a service's store would hold it.
final class SQLiteReadingStore: ReadingLog, SQLiteChangeSource {
    static let changeLog = SQLiteChangeLog<Reading>()
    let pool: DatabasePool
    let notifier = ChangeNotifier()

    init(path: String) throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: change log") { db in try Self.changeLog.createTable(in: db) }
        pool = try SQLiteDatabase.open(path: path, migrator: migrator)
    }

    @discardableResult
    func append(_ readings: [Reading]) async throws -> Int64 {
        let head = try await pool.write { db in
            let appender = try Self.changeLog.appender(in: db)
            for reading in readings { _ = try appender.append(reading) }
            return try Self.changeLog.currentRevision(in: db)
        }
        notifier.publish(revision: head)
        return head
    }

}

/// The PostgreSQL change log of `Reading`s, in a database of its own.
final class PostgresReadingStore: ReadingLog, PostgresChangeSource {
    static let changeLog = PostgresChangeLog<Reading>(channel: "isid_readings")
    static let migrator = PostgresMigrator(
        service: "readings",
        migrations: [PostgresMigration("v1: change log", changeLog.schemaStatements)]
    )
    let database: PostgresPool
    let notifier: ChangeNotifier
    let logger = Logger(label: "test")

    init(database: PostgresPool, notifier: ChangeNotifier = ChangeNotifier()) {
        self.database = database
        self.notifier = notifier
    }

    @discardableResult
    func append(_ readings: [Reading]) async throws -> Int64 {
        let head = try await database.withTransaction(logger: logger) { transaction in
            let appender = try await Self.changeLog.appender(in: transaction, logger: logger)
            for reading in readings { try await appender.append(reading) }
            try await appender.notify()
            return appender.head
        }
        notifier.publish(revision: head)
        return head
    }
}

/// Which implementation a test runs against: every change-log behaviour holds for each.
enum LogKind: String, CaseIterable, CustomTestStringConvertible {
    case inMemory
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// Every kind this run can test: PostgreSQL when `ISID_TEST_POSTGRES_URL` names a server (CI always
    /// does; ``PostgresAvailabilityTests`` fails there without one).
    static var allCases: [LogKind] {
        TestPostgres.url == nil ? [.inMemory, .sqlite] : [.inMemory, .sqlite, .postgres]
    }
}

/// A temporary directory for one test's database files, removed afterwards.
func withTemporaryDirectory<Result>(_ body: (URL) async throws -> Result) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isid-storage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}

/// Runs `body` with an empty log of the given kind.
func withReadingLog(_ kind: LogKind, _ body: (any ReadingLog) async throws -> Void) async throws {
    switch kind {
    case .inMemory:
        try await body(InMemoryChangeLog<Reading>())
    case .sqlite:
        try await withTemporaryDirectory { directory in
            try await body(try SQLiteReadingStore(path: directory.appendingPathComponent("readings.sqlite").path))
        }
    case .postgres:
        try await TestPostgres.withDatabase { database in
            try await PostgresReadingStore.migrator.migrate(database.client, logger: Logger(label: "test"))
            try await body(PostgresReadingStore(database: database))
        }
    }
}
