public import IsidStorage
public import PostgresNIO

/// The PostgreSQL change log's columns for an observation change: those of the SQLite log, typed for
/// PostgreSQL.
extension ObservationChange: PostgresChangeRecord {
    public static let postgresColumns = [
        PostgresColumn("series_code", "TEXT NOT NULL"),
        PostgresColumn("area_code", "TEXT NOT NULL"),
        PostgresColumn("year", "INTEGER NOT NULL"),
        PostgresColumn("value", "DOUBLE PRECISION NOT NULL"),
        PostgresColumn("previous_value", "DOUBLE PRECISION"),
        PostgresColumn("unit", "TEXT NOT NULL"),
        PostgresColumn("nature", "TEXT NOT NULL"),
        PostgresColumn("source", "TEXT NOT NULL"),
        PostgresColumn("footnote", "TEXT NOT NULL"),
    ]

    public static let postgresScopeColumn = "series_code"

    public func appendColumnValues(to binds: inout PostgresBindings) throws {
        binds.append(observation.seriesCode)
        binds.append(observation.areaCode)
        binds.append(Int32(observation.year))
        binds.append(observation.value)
        binds.append(previousValue)
        binds.append(observation.unit)
        binds.append(observation.nature)
        binds.append(observation.source)
        binds.append(observation.footnote)
    }

    public init(
        changeLogRow row: PostgresRandomAccessRow,
        from offset: Int,
        revision: Int64,
        operation: ChangeOperation
    ) throws {
        self.init(
            operation: operation,
            observation: ObservationRecord(
                seriesCode: try row[offset].decode(String.self),
                areaCode: try row[offset + 1].decode(String.self),
                year: Int(try row[offset + 2].decode(Int32.self)),
                value: try row[offset + 3].decode(Double.self),
                unit: try row[offset + 5].decode(String.self),
                nature: try row[offset + 6].decode(String.self),
                source: try row[offset + 7].decode(String.self),
                footnote: try row[offset + 8].decode(String.self),
                revision: revision
            ),
            previousValue: try row[offset + 4].decode(Double?.self)
        )
    }
}
