public import GRDB
public import IsidStorage

/// The change log's columns for an observation change: the observation as written (as it was, for a
/// withdrawal) and the value it replaced.
extension ObservationChange: SQLiteChangeRecord {
    public static let columns = [
        SQLiteColumn("series_code", "TEXT NOT NULL"),
        SQLiteColumn("area_code", "TEXT NOT NULL"),
        SQLiteColumn("year", "INTEGER NOT NULL"),
        SQLiteColumn("value", "REAL NOT NULL"),
        SQLiteColumn("previous_value", "REAL"),
        SQLiteColumn("unit", "TEXT NOT NULL"),
        SQLiteColumn("nature", "TEXT NOT NULL"),
        SQLiteColumn("source", "TEXT NOT NULL"),
        SQLiteColumn("footnote", "TEXT NOT NULL"),
    ]

    public static let scopeColumn = "series_code"

    public var columnValues: StatementArguments {
        [
            observation.seriesCode, observation.areaCode, observation.year, observation.value, previousValue,
            observation.unit, observation.nature, observation.source, observation.footnote,
        ]
    }

    public init(changeLogRow row: Row, operation: ChangeOperation) {
        self.init(
            operation: operation,
            observation: ObservationRecord(
                seriesCode: row[2],
                areaCode: row[3],
                year: row[4],
                value: row[5],
                unit: row[7],
                nature: row[8],
                source: row[9],
                footnote: row[10],
                revision: row[0]
            ),
            previousValue: row[6]
        )
    }
}
