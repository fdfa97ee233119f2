import Foundation
import GRDB
import IsidStorage
import Testing

@Suite("SQLite commit probe")
struct SQLiteCommitProbeTests {
    /// A database with one table, written through `writer`, and the probe on the same file.
    func withDatabase(_ body: (DatabasePool, DatabasePool, SQLiteCommitProbe) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isid-probe-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("probe.sqlite").path
        let writer = try DatabasePool(path: path)
        try writer.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER)") }
        // A second pool stands for another process on the same file.
        let other = try DatabasePool(path: path)
        try body(writer, other, try SQLiteCommitProbe(path: path))
    }

    @Test("the version stays while nobody commits, reads included")
    func readsLeaveTheVersion() throws {
        try withDatabase { writer, _, probe in
            let before = try probe.dataVersion()
            _ = try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") }
            #expect(try probe.dataVersion() == before)
        }
    }

    @Test("every commit, through any connection, moves the version up")
    func commitsMoveTheVersion() throws {
        try withDatabase { writer, other, probe in
            #expect(probe.readsSharedMemory)
            let first = try probe.dataVersion()
            try writer.write { db in try db.execute(sql: "INSERT INTO t VALUES (1)") }
            let second = try probe.dataVersion()
            #expect(second > first)
            try other.write { db in try db.execute(sql: "INSERT INTO t VALUES (2)") }
            #expect(try probe.dataVersion() > second)
        }
    }

    @Test("a rolled-back transaction leaves the version")
    func rollbackLeavesTheVersion() throws {
        try withDatabase { writer, _, probe in
            let before = try probe.dataVersion()
            try? writer.write { db in
                try db.execute(sql: "INSERT INTO t VALUES (1)")
                throw CancellationError()
            }
            #expect(try probe.dataVersion() == before)
        }
    }

    @Test("without a WAL index to map, the probe asks SQLite and still sees every commit")
    func rollbackJournalFallsBackToThePragma() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isid-probe-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("journal.sqlite").path
        let writer = try DatabaseQueue(path: path)  // rollback journal: no -shm file
        try writer.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER)") }
        let probe = try SQLiteCommitProbe(path: path)
        #expect(!probe.readsSharedMemory)
        let before = try probe.dataVersion()
        #expect(try probe.dataVersion() == before)
        try writer.write { db in try db.execute(sql: "INSERT INTO t VALUES (1)") }
        #expect(try probe.dataVersion() > before)
    }
}
