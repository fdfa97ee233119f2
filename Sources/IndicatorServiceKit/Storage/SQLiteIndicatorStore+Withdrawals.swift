import GRDB
import IsidStorage

extension SQLiteIndicatorStore {
    /// Removes every stored observation whose key `isKept` refuses (a newer extract no longer holds it),
    /// logging each removal as a withdrawal with the row as it was, in the caller's write transaction.
    /// Returns how many were withdrawn.
    static func withdrawObservations(keeping isKept: (ObservationKey) -> Bool, in db: Database) throws -> Int {
        // Collected first: SQLite does not promise what a cursor sees of rows deleted while it runs.
        var missing: [ObservationRecord] = []
        let stored = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT \(observationColumns) FROM observations o")
        )
        while let row = try stored.next() {
            let observation = observation(inColumnOrder: row)
            if !isKept(observation.key) { missing.append(observation) }
        }
        if missing.isEmpty { return 0 }

        let changeLog = try Self.changeLog.appender(in: db)
        let delete = try db.cachedStatement(
            sql: "DELETE FROM observations WHERE series_code = ? AND area_code = ? AND year = ?"
        )
        var touchedSeries: [String: Int64] = [:]
        for observation in missing {
            let revision = try changeLog.append(
                ObservationChange(operation: .withdrawn, observation: observation, previousValue: observation.value)
            )
            try delete.execute(arguments: [observation.seriesCode, observation.areaCode, observation.year])
            touchedSeries[observation.seriesCode] = revision
        }
        try recordLastRevisions(touchedSeries, in: db)
        return missing.count
    }
}
