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
            var conditions: [String] = []
            var arguments = StatementArguments()
            if let afterID {
                conditions.append("p.id > ?")
                _ = arguments.append(contentsOf: [afterID])
            }
            if let country = filter.country {
                conditions.append("p.id IN (SELECT programme_id FROM programme_countries WHERE country = ?)")
                _ = arguments.append(contentsOf: [country])
            }
            if let kind = filter.kind {
                conditions.append("p.kind = ?")
                _ = arguments.append(contentsOf: [kind.rawValue])
            }
            if let status = filter.status {
                conditions.append("p.status = ?")
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let partner = filter.partner {
                conditions.append("p.id IN (SELECT programme_id FROM programme_partners WHERE name_key = ?)")
                _ = arguments.append(contentsOf: [partner.lowercased()])
            }
            if let type = filter.partnerType {
                conditions.append("p.id IN (SELECT programme_id FROM programme_partners WHERE type = ?)")
                _ = arguments.append(contentsOf: [type.rawValue])
            }
            if let sdg = filter.sdg {
                conditions.append("p.id IN (SELECT programme_id FROM programme_sdgs WHERE code = ?)")
                _ = arguments.append(contentsOf: [sdg])
            }
            for word in filter.titleWords {
                // LIKE is case-insensitive for ASCII; the escape keeps % and _ in a word literal.
                conditions.append("p.title LIKE ? ESCAPE '\\'")
                let escaped = word.replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
                _ = arguments.append(contentsOf: ["%\(escaped)%"])
            }
            if let parent = filter.parentID {
                conditions.append("p.parent_id = ?")
                _ = arguments.append(contentsOf: [parent])
            }
            if let ids = filter.ids {
                guard !ids.isEmpty else { return [] }
                conditions.append("p.id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ", ")))")
                _ = arguments.append(contentsOf: StatementArguments(ids))
            }
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
