import Foundation
public import IsidStorage
import PostgresNIO

extension PostgresProgrammeStore {
    public func programme(id: String) async throws -> StoredProgramme? {
        try await database.withConnection { connection in try await self.stored(id: id, on: connection) }
    }

    public func programmes(
        matching filter: ProgrammeFilter,
        afterID: String?,
        limit: Int
    ) async throws
        -> [StoredProgramme]
    {
        var statement = PostgresStatement()
        // ILIKE: titles match case-insensitively beyond ASCII too (SQLite's LIKE folds ASCII only).
        guard
            let conditions = ProgrammeWriteRules.listConditions(
                filter,
                afterID: afterID,
                like: "ILIKE",
                bind: { statement.bind($0) }
            )
        else { return [] }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = """
            SELECT \(Self.columns) FROM programmes p \(whereClause)
            ORDER BY p.id LIMIT \(statement.bind(Int64(limit)))
            """
        return try await database.withConnection { connection in
            try await self.programmes(statement.query(sql), on: connection)
        }
    }

    public func history(
        programmeID: String,
        after revision: Int64,
        limit: Int
    ) async throws
        -> [LoggedChange<ProgrammeChange>]
    {
        try await changes(after: revision, matching: ChangeFilter(scopes: [programmeID]), limit: limit).changes
    }

    public func exchangeRates() async throws -> [ExchangeRate] {
        let rows = try await database.query(
            """
            SELECT from_currency, to_currency, date, rate, source FROM exchange_rates
            ORDER BY to_currency, from_currency, date
            """,
            logger: logger
        )
        var rates: [ExchangeRate] = []
        for try await (from, to, date, rate, source) in rows.decode((String, String, String, String, String).self) {
            guard let from = Currency(code: from), let to = Currency(code: to), let date = CalendarDate(iso: date),
                let rate = try? ExchangeRate(from: from, to: to, rate: rate, date: date, source: source)
            else { continue }
            rates.append(rate)
        }
        return rates
    }

    public func reportedFigures(programmeID: String?) async throws -> [ReportedFigure] {
        var statement = PostgresStatement()
        let filter = programmeID.map { "WHERE programme_id = \(statement.bind($0))" } ?? ""
        let sql = "SELECT document FROM reported_figures \(filter) ORDER BY id"
        var figures: [ReportedFigure] = []
        for try await document in try await database.query(statement.query(sql), logger: logger).decode(Data.self) {
            figures.append(try StoredDocuments.decode(ReportedFigure.self, document))
        }
        return figures
    }
}
