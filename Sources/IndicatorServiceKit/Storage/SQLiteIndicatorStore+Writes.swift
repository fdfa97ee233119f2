import GRDB
import IsidStorage

extension SQLiteIndicatorStore {
    public func upsert(_ rows: [ObservationRecord], currentYear: Int) async throws -> UpsertOutcome {
        let outcome = try await pool.write { db in try Self.upsert(rows, currentYear: currentYear, in: db) }
        if outcome.inserted + outcome.updated > 0 { notifier.publish(revision: outcome.revision) }
        return outcome
    }

    /// Validates every row (collecting every violation), then writes them; throws before writing anything
    /// if one row is bad, and the surrounding transaction rolls back on any later error.
    static func upsert(
        _ rows: [ObservationRecord],
        currentYear: Int,
        catalogue: ObservationUpsert.Catalogue? = nil,
        in db: Database
    ) throws -> UpsertOutcome {
        try ObservationUpsert.validate(rows, against: catalogue ?? Self.catalogue(in: db), currentYear: currentYear)

        let existing = try db.cachedStatement(
            sql: "SELECT * FROM observations WHERE series_code = ? AND area_code = ? AND year = ?"
        )
        let (changes, unchanged) = try ObservationUpsert.changes(for: rows) { key in
            try Row.fetchOne(existing, arguments: [key.seriesCode, key.areaCode, key.year]).map(observation(from:))
        }
        let changeLog = try Self.changeLog.appender(in: db)
        let write = try db.cachedStatement(
            sql: """
                INSERT INTO observations (series_code, area_code, year, value, unit, nature, source, footnote, revision)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (series_code, area_code, year) DO UPDATE SET value = excluded.value, unit = excluded.unit,
                    nature = excluded.nature, source = excluded.source, footnote = excluded.footnote,
                    revision = excluded.revision
                """
        )
        var touchedSeries: [String: Int64] = [:]
        for change in changes {
            let row = change.observation
            let revision = try changeLog.append(change)
            try write.execute(arguments: [
                row.seriesCode, row.areaCode, row.year, row.value, row.unit, row.nature, row.source, row.footnote,
                revision,
            ])
            touchedSeries[row.seriesCode] = revision
        }
        try recordLastRevisions(touchedSeries, in: db)
        return ObservationUpsert.outcome(changes, unchanged: unchanged, revision: try currentRevision(db))
    }

    /// The series' units and the area codes, which rows are checked against.
    static func catalogue(in db: Database) throws -> ObservationUpsert.Catalogue {
        ObservationUpsert.Catalogue(
            seriesUnits: Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT code, unit FROM series").map {
                    ($0["code"] as String, $0["unit"] as String)
                }
            ),
            areaCodes: Set(try String.fetchAll(db, sql: "SELECT code FROM areas"))
        )
    }

    /// Moves each series' `last_revision` (what `GetLatestValues(if_changed_since)` compares) to the newest
    /// change written to it.
    static func recordLastRevisions(_ revisions: [String: Int64], in db: Database) throws {
        for (series, revision) in revisions {
            try db.execute(sql: "UPDATE series SET last_revision = ? WHERE code = ?", arguments: [revision, series])
        }
    }
}
