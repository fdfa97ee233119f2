import Foundation
import GRDB
import IndicatorServiceKit
import IsidStorage
import Testing

@Suite("IndicatorService migrations", .timeLimit(.minutes(1)))
struct IndicatorMigrationTests {
    static let v1 = "v1: series, areas, observations, change log"

    @Test("a database from before the shared change log keeps every change under its revision")
    func changesKeepTheirRevisions() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("isid-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("indicators.sqlite").path
        let old = try DatabasePool(path: path, configuration: SQLiteDatabase.configuration())
        try SQLiteIndicatorStore.migrator.migrate(old, upTo: Self.v1)
        try await old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO change_log (revision, kind, series_code, area_code, year, value, previous_value, unit,
                        nature, source, footnote)
                    VALUES (41, 'inserted', 'NV_IND_MANF', 'DEU', 2015, 20.0, NULL, 'PERCENT', 'CA', 'UNSD', ''),
                        (42, 'updated', 'NV_IND_MANF', 'DEU', 2015, 20.35, 20.0, 'PERCENT', 'CA', 'UNSD', 'revised')
                    """
            )
        }
        try old.close()

        let store = try SQLiteIndicatorStore(path: path)
        #expect(try store.appliedMigrations().count == SQLiteIndicatorStore.migrator.migrations.count)
        #expect(try await store.currentRevision() == 42)
        let changes = try await store.changes(after: 0, matching: .everything, limit: 10).changes
        #expect(changes.map(\.revision) == [41, 42])
        #expect(changes.map(\.record.operation) == [.inserted, .updated])
        #expect(changes.map(\.record.observation.value) == [20.0, 20.35])
        #expect(changes.map(\.record.previousValue) == [nil, 20.0])
        #expect(changes.map(\.record.observation.footnote) == ["", "revised"])
    }
}
