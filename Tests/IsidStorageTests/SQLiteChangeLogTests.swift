import Foundation
import GRDB
import IsidStorage
import Testing

@Suite("SQLite change log", .timeLimit(.minutes(1)))
struct SQLiteChangeLogTests {
    struct Rollback: Error {}

    @Test("an append rolled back with its transaction leaves no revision behind")
    func rolledBackAppendLeavesNoRevision() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteReadingStore(path: directory.appendingPathComponent("log.sqlite").path)
            try await store.append([Reading("a", 1)])
            await #expect(throws: Rollback.self) {
                try await store.pool.write { db in
                    _ = try SQLiteReadingStore.changeLog.append(Reading("a", 2), in: db)
                    throw Rollback()
                }
            }
            #expect(try await store.currentRevision() == 1)
            #expect(try await store.append([Reading("a", 3)]) == 2)
        }
    }

    @Test("the table refuses an operation the log does not know")
    func tableRefusesUnknownOperations() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteReadingStore(path: directory.appendingPathComponent("log.sqlite").path)
            await #expect(throws: DatabaseError.self) {
                try await store.pool.write { db in
                    try db.execute(sql: "INSERT INTO change_log (operation, sensor, value) VALUES ('deleted', 'a', 1)")
                }
            }
        }
    }

    @Test("rebuilding an older table keeps every revision, and the next append continues after them")
    func rebuildKeepsRevisions() async throws {
        try await withTemporaryDirectory { directory in
            let log = SQLiteReadingStore.changeLog
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1: an older change log") { db in
                try db.execute(
                    sql: """
                        CREATE TABLE change_log (
                            revision INTEGER PRIMARY KEY AUTOINCREMENT,
                            kind TEXT NOT NULL CHECK (kind IN ('inserted', 'updated')),
                            sensor_name TEXT NOT NULL,
                            reading INTEGER NOT NULL
                        ) STRICT;
                        CREATE INDEX change_log_by_sensor ON change_log (sensor_name, revision);
                        INSERT INTO change_log (revision, kind, sensor_name, reading)
                            VALUES (3, 'inserted', 'a', 1), (7, 'updated', 'a', 2);
                        """
                )
            }
            migrator.registerMigration("v2: the shared schema") { db in
                try log.rebuildTable(in: db, selectingFromOldTable: ["revision", "kind", "sensor_name", "reading"])
            }
            let pool = try SQLiteDatabase.open(
                path: directory.appendingPathComponent("log.sqlite").path,
                migrator: migrator
            )
            let batch = try await pool.read { db in try log.changes(after: 0, matching: .everything, limit: 10, in: db)
            }
            #expect(batch.changes.map(\.revision) == [3, 7])
            #expect(batch.changes.map(\.record) == [Reading("a", 1), Reading("a", 2, .updated)])
            let next = try await pool.write { db in try log.append(Reading("a", 2, .withdrawn), in: db) }
            #expect(next == 8)
        }
    }
}
