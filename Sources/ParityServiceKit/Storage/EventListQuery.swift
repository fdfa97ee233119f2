/// The one statement behind `events(matching:afterID:limit:)` on every store: the filter's conditions and the
/// keyset after `afterID`, in SQL that SQLite and PostgreSQL both run, with the values to bind in order.
struct EventListQuery {
    enum Value: Hashable {
        case text(String)
        case integer(Int)
    }

    /// `?` for SQLite; `$1`, `$2`, … for PostgreSQL.
    enum Placeholders {
        case question
        case numbered
    }

    let sql: String
    let values: [Value]

    /// Selects `columns` of the events `filter` takes, ordered by start day (undated last) then id.
    init(filter: EventFilter, afterID: String?, limit: Int, columns: String, placeholders: Placeholders) {
        var values: [Value] = []
        func bind(_ value: Value) -> String {
            values.append(value)
            return placeholders == .question ? "?" : "$\(values.count)"
        }
        var conditions: [String] = []
        if !filter.includeExamples { conditions.append("NOT example") }
        if let year = filter.year { conditions.append("start_year = \(bind(.integer(year)))") }
        if let kind = filter.kind { conditions.append("kind = \(bind(.text(kind.rawValue)))") }
        if let programmeID = filter.programmeID { conditions.append("programme_id = \(bind(.text(programmeID)))") }
        if let from = filter.from { conditions.append("start_day >= \(bind(.text(from.description)))") }
        if let through = filter.through { conditions.append("start_day <= \(bind(.text(through.description)))") }
        // Undated events sort after every dated one.
        let sortKey = "COALESCE(start_day, '9999-99-99')"
        if let afterID {
            conditions.append(
                "(\(sortKey), id) > (SELECT \(sortKey), id FROM events WHERE id = \(bind(.text(afterID))))"
            )
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limitPlaceholder = bind(.integer(limit))
        sql = "SELECT \(columns) FROM events \(whereClause) ORDER BY \(sortKey), id LIMIT \(limitPlaceholder)"
        self.values = values
    }
}
