import Foundation
import GRDB
public import IsidStorage

extension SQLiteProgrammeStore {
    public func programme(id: String) async throws -> StoredProgramme? {
        try await pool.read { db in try Self.stored(id: id, in: db) }
    }

    public func programmes(
        matching filter: ProgrammeFilter,
        afterID: String?,
        limit: Int
    ) async throws
        -> [StoredProgramme]
    {
        try await pool.read { db in
            var arguments = StatementArguments()
            let bind = { (value: String) -> String in
                _ = arguments.append(contentsOf: [value])
                return "?"
            }
            guard
                let conditions = ProgrammeWriteRules.listConditions(filter, afterID: afterID, like: "LIKE", bind: bind)
            else { return [] }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let sql = """
                SELECT p.id, p.etag, p.created, p.updated, p.revision, p.document FROM programmes p
                \(whereClause) ORDER BY p.id LIMIT ?
                """
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map(Self.stored)
        }
    }

    public func history(
        programmeID: String,
        after revision: Int64,
        limit: Int
    ) async throws
        -> [LoggedChange<ProgrammeChange>]
    {
        try await pool.read { db in
            try Self.changeLog.changes(
                after: revision,
                matching: ChangeFilter(scopes: [programmeID]),
                limit: limit,
                in: db
            ).changes
        }
    }

    public func exchangeRates() async throws -> [ExchangeRate] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT from_currency, to_currency, date, rate, source FROM exchange_rates
                        ORDER BY to_currency, from_currency, date
                        """
                )
            ).compactMap { row -> ExchangeRate? in
                guard let from = Currency(code: row[0]), let to = Currency(code: row[1]),
                    let date = CalendarDate(iso: row[2])
                else { return nil }
                return try? ExchangeRate(from: from, to: to, rate: row[3], date: date, source: row[4])
            }
        }
    }
}
