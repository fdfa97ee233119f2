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
    static func upsert(_ rows: [ObservationRecord], currentYear: Int, in db: Database) throws -> UpsertOutcome {
        let units = Dictionary(
            uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT code, unit FROM series").map {
                ($0["code"] as String, $0["unit"] as String)
            }
        )
        let areaCodes = Set(try String.fetchAll(db, sql: "SELECT code FROM areas"))
        var violations: [ObservationRules.Violation] = []
        var unknown: [String] = []
        var seen: Set<ObservationKey> = []
        for (index, row) in rows.enumerated() {
            let prefix = "observations[\(index)]."
            for violation in ObservationRules.violations(of: row, currentYear: currentYear) {
                violations.append(.init(field: prefix + violation.field, description: violation.description))
            }
            if !seen.insert(row.key).inserted {
                violations.append(
                    .init(
                        field: prefix + "year",
                        description: "duplicate of an earlier row for \(row.seriesCode)/\(row.areaCode)/\(row.year)"
                    )
                )
            }
            if let unit = units[row.seriesCode] {
                if let violation = ObservationRules.unitViolation(of: row, seriesUnit: unit) {
                    violations.append(.init(field: prefix + violation.field, description: violation.description))
                }
            } else if !row.seriesCode.isEmpty {
                unknown.append("observations[\(index)]: unknown series \"\(row.seriesCode)\"")
            }
            if !row.areaCode.isEmpty, !areaCodes.contains(row.areaCode) {
                unknown.append("observations[\(index)]: unknown area \"\(row.areaCode)\"")
            }
        }
        if !violations.isEmpty {
            throw IndicatorError.invalid("\(violations.count) problem(s) in the batch; nothing was stored", violations)
        }
        if !unknown.isEmpty {
            throw IndicatorError.notFound(unknown.joined(separator: "; ") + "; nothing was stored")
        }

        var outcome = UpsertOutcome()
        var touchedSeries: [String: Int64] = [:]
        let existing = try db.cachedStatement(
            sql: "SELECT * FROM observations WHERE series_code = ? AND area_code = ? AND year = ?"
        )
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
        for row in rows {
            let stored = try Row.fetchOne(existing, arguments: [row.seriesCode, row.areaCode, row.year])
                .map(observation(from:))
            if let stored, stored.hasSameContent(as: row) {
                outcome.unchanged += 1
                continue
            }
            let operation: ChangeOperation = stored == nil ? .inserted : .updated
            let revision = try changeLog.append(
                ObservationChange(operation: operation, observation: row, previousValue: stored?.value)
            )
            try write.execute(arguments: [
                row.seriesCode, row.areaCode, row.year, row.value, row.unit, row.nature, row.source, row.footnote,
                revision,
            ])
            touchedSeries[row.seriesCode] = revision
            if operation == .inserted { outcome.inserted += 1 } else { outcome.updated += 1 }
        }
        try recordLastRevisions(touchedSeries, in: db)
        outcome.revision = try currentRevision(db)
        return outcome
    }

    /// Moves each series' `last_revision` (what `GetLatestValues(if_changed_since)` compares) to the newest
    /// change written to it.
    static func recordLastRevisions(_ revisions: [String: Int64], in db: Database) throws {
        for (series, revision) in revisions {
            try db.execute(sql: "UPDATE series SET last_revision = ? WHERE code = ?", arguments: [revision, series])
        }
    }
}
