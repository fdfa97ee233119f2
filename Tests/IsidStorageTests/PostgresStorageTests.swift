import Foundation
import IsidStorage
import IsidSync
import IsidTestSupport
import Logging
import PostgresNIO
import Testing

@Suite("Database locations")
struct DatabaseLocationTests {
    @Test(
        "a path or sqlite: is a SQLite file",
        arguments: [
            ("isid.sqlite", "isid.sqlite"), ("/var/lib/isid/a.sqlite", "/var/lib/isid/a.sqlite"),
            ("sqlite:x.db", "x.db"),
        ]
    )
    func sqlite(text: String, path: String) throws {
        #expect(try DatabaseLocation(text) == .sqlite(path: path))
    }

    @Test("a postgres URL gives the server, credentials and every option")
    func postgres() throws {
        let location = try DatabaseLocation(
            "postgres://isid:p%40ss%3Aw@db.example:6432/indicators?sslmode=verify-full&sslrootcert=/ca.pem"
                + "&connect_timeout=3&pool_size=4&statement_timeout=2500"
        )
        guard case .postgres(let settings) = location else {
            Issue.record("not postgres: \(location)")
            return
        }
        #expect(settings.host == "db.example" && settings.port == 6432 && settings.database == "indicators")
        #expect(settings.username == "isid" && settings.password == "p@ss:w")
        #expect(settings.tls == .verifyFull && settings.rootCertificateFile == "/ca.pem")
        #expect(
            settings.connectTimeoutSeconds == 3 && settings.poolSize == 4
                && settings.statementTimeoutMilliseconds == 2500
        )
        #expect(settings.description == "postgres://isid@db.example:6432/indicators?sslmode=verify-full")
    }

    @Test("defaults: port 5432, sslmode prefer, 10 connections, 10 s to connect; IPv6 hosts in brackets")
    func defaults() throws {
        guard case .postgres(let settings) = try DatabaseLocation("postgresql://u@[::1]/d") else {
            Issue.record("not postgres")
            return
        }
        #expect(settings.host == "::1" && settings.port == 5432 && settings.password == nil)
        #expect(settings.tls == .prefer && settings.poolSize == 10 && settings.connectTimeoutSeconds == 10)
    }

    @Test(
        "malformed locations are refused with the reason",
        arguments: [
            "", "sqlite:", "mysql://u@h/d", "postgres://h/d", "postgres://u@h", "postgres://u@h:0/d",
            "postgres://u@h:x/d", "postgres://u@h/d?sslmode=maybe", "postgres://u@h/d?pool_size=0",
            "postgres://u@h/d?colour=blue",
        ]
    )
    func refused(text: String) {
        #expect(throws: DatabaseLocationError.self) { try DatabaseLocation(text) }
    }
}

@Suite("PostgreSQL storage", .timeLimit(.minutes(1)))
struct PostgresStorageTests {
    let logger = Logger(label: "test")

    @Test("CI always has a PostgreSQL server for the storage tests")
    func configuredInCI() {
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            #expect(TestPostgres.url != nil, "set ISID_TEST_POSTGRES_URL (scripts/test-postgres.sh)")
        }
    }

    @Test(
        "migrations apply once, also when replicas start at once",
        .enabled(if: TestPostgres.url != nil)
    )
    func migrationsApplyOnce() async throws {
        try await TestPostgres.withDatabase { database in
            let migrator = PostgresMigrator(
                service: "demo",
                migrations: [
                    PostgresMigration("v1: a", ["CREATE TABLE a (id BIGINT PRIMARY KEY)"]),
                    PostgresMigration("v2: b", ["CREATE TABLE b (id BIGINT PRIMARY KEY)", "INSERT INTO b VALUES (1)"]),
                ]
            )
            let logger = self.logger
            let applied = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<3 { group.addTask { try await migrator.migrate(database.client, logger: logger) } }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            // Whichever replica went first applied both; the others waited on the lock and found nothing to do.
            #expect(applied.sorted() == ["v1: a", "v2: b"])
            #expect(try await migrator.applied(database.client, logger: logger) == ["v1: a", "v2: b"])
            #expect(try await migrator.migrate(database.client, logger: logger).isEmpty)
        }
    }

    @Test(
        "a failed migration leaves nothing of itself behind and is tried again next start",
        .enabled(if: TestPostgres.url != nil)
    )
    func failedMigrationRollsBack() async throws {
        try await TestPostgres.withDatabase { database in
            let broken = PostgresMigrator(
                service: "demo",
                migrations: [PostgresMigration("v1", ["CREATE TABLE c (id BIGINT)", "CREATE TABLE c (id BIGINT)"])]
            )
            await #expect(throws: (any Error).self) { try await broken.migrate(database.client, logger: logger) }
            let appliedAfterFailure = try await broken.applied(database.client, logger: logger)
            #expect(appliedAfterFailure.isEmpty)
            let fixed = PostgresMigrator(
                service: "demo",
                migrations: [PostgresMigration("v1", ["CREATE TABLE c (id BIGINT)"])]
            )
            let appliedNow = try await fixed.migrate(database.client, logger: logger)
            #expect(appliedNow == ["v1"])
        }
    }

    @Test("concurrent writers get gap-free revisions in commit order", .enabled(if: TestPostgres.url != nil))
    func concurrentWriters() async throws {
        try await TestPostgres.withDatabase { database in
            try await PostgresReadingStore.migrator.migrate(database.client, logger: logger)
            let store = PostgresReadingStore(database: database)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for index in 0..<25 { try await store.append([Reading("w\(writer)", index)]) }
                    }
                }
                try await group.waitForAll()
            }
            let batch = try await store.changes(after: 0, matching: .everything, limit: 1000)
            #expect(batch.changes.map(\.revision) == Array(1...100))
            for writer in 0..<4 {
                #expect(batch.changes.filter { $0.record.sensor == "w\(writer)" }.map(\.record.value) == Array(0..<25))
            }
        }
    }

    @Test(
        "a commit through one replica wakes a watcher on another at once (LISTEN/NOTIFY)",
        .enabled(if: TestPostgres.url != nil)
    )
    func notifyWakesOtherReplica() async throws {
        try await TestPostgres.withDatabase { database in
            try await PostgresReadingStore.migrator.migrate(database.client, logger: logger)
            let writer = PostgresReadingStore(database: database)
            // The other replica: its own pool, and a poll so slow that only the notification can wake it in time.
            let other = try PostgresPool(database.settings, logger: logger)
            let notifier = ChangeNotifier(pollInterval: .seconds(600))
            let watched = ReadObservingSource(PostgresReadingStore(database: other, notifier: notifier))
            let listener = PostgresChangeListener(
                database: other,
                channel: PostgresReadingStore.changeLog.channel,
                notifier: notifier,
                logger: logger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await other.client.run() }
                group.addTask { try await listener.run() }
                defer { group.cancelAll() }
                // Wait until the listener is listening: notify the channel until the notifier hears it.
                let heard = Lock(false)
                group.addTask {
                    for await _ in notifier.subscribe() {
                        heard.withLock { $0 = true }
                        return
                    }
                }
                let channel = PostgresReadingStore.changeLog.channel
                for _ in 0..<100 where !heard.withLock({ $0 }) {
                    try await database.client.query("SELECT pg_notify(\(channel), '0')", logger: logger)
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(heard.withLock { $0 })
                let head = try await writer.append([Reading("a", 1)])
                async let delivered: [Reading] = {
                    for try await batch in ChangeWatcher(
                        source: watched,
                        after: head,
                        filter: .everything,
                        batchSize: 10
                    ) {
                        return batch.changes.map(\.record)
                    }
                    return []
                }()
                var reads = watched.reads.makeAsyncIterator()
                #expect(await reads.next() == 0)
                try await writer.append([Reading("b", 2)])
                #expect(try await delivered == [Reading("b", 2)])
            }
        }
    }
}
