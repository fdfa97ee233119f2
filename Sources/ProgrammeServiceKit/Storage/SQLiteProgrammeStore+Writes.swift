import Foundation
import GRDB
import IsidStorage

extension SQLiteProgrammeStore {
    public func create(_ programme: Programme, requestID: String?, actor: String) async throws -> StoredProgramme {
        let (stored, revision) = try await pool.write { db -> (StoredProgramme, Int64?) in
            if let requestID,
                let known = try String.fetchOneCached(
                    db,
                    sql: "SELECT programme_id FROM idempotency_keys WHERE request_id = ?",
                    arguments: [requestID]
                ), let stored = try Self.stored(id: known, in: db)
            {
                return (stored, nil)
            }
            var programme = programme
            programme.id = ProgrammeIDs.make()
            try Self.checkParent(of: programme, in: db)
            let stored = try Self.write(
                programme,
                kind: .created,
                fields: [],
                reason: "",
                actor: actor,
                created: nil,
                in: db
            )
            if let requestID {
                try db.execute(
                    sql: "INSERT INTO idempotency_keys (request_id, programme_id) VALUES (?, ?)",
                    arguments: [requestID, stored.programme.id]
                )
            }
            return (stored, stored.revision)
        }
        if let revision { notifier.publish(revision: revision) }
        return stored
    }

    public func modify(
        id: String,
        expectedEtag: String?,
        kind: ProgrammeChangeKind,
        fields: [String],
        reason: String,
        actor: String,
        change: @Sendable (inout Programme) throws -> Void
    ) async throws -> StoredProgramme {
        let stored = try await pool.write { db -> StoredProgramme in
            let current = try Self.stored(id: id, in: db)
            let (programme, parentChanged) = try ProgrammeWriteRules.modified(
                current,
                id: id,
                expectedEtag: expectedEtag,
                by: change
            )
            if parentChanged { try Self.checkParent(of: programme, in: db) }
            return try Self.write(
                programme,
                kind: kind,
                fields: fields,
                reason: reason,
                actor: actor,
                created: current?.created,
                in: db
            )
        }
        notifier.publish(revision: stored.revision)
        return stored
    }

    public func importActivities(_ programmes: [Programme], actor: String) async throws -> ImportOutcome {
        let outcome = try await pool.write { db -> ImportOutcome in
            var outcome = ImportOutcome()
            outcome.revision = try Self.changeLog.currentRevision(in: db)
            for var programme in programmes {
                let identifier = programme.iatiIdentifier ?? ""
                let existing = try String.fetchOneCached(
                    db,
                    sql: "SELECT id FROM programmes WHERE iati_identifier = ?",
                    arguments: [identifier]
                ).flatMap { try Self.stored(id: $0, in: db) }
                programme.parentID =
                    try Self.parentID(ofIATIParent: programme.parentIATIIdentifier, in: db)
                    ?? existing?.programme.parentID
                if let existing {
                    guard let merged = ProgrammeWriteRules.merge(activity: programme, into: existing.programme) else {
                        outcome.unchanged += 1
                        continue
                    }
                    programme = merged
                    let stored = try Self.write(
                        programme,
                        kind: .imported,
                        fields: [],
                        reason: "",
                        actor: actor,
                        created: existing.created,
                        in: db
                    )
                    outcome.revision = stored.revision
                    outcome.updated += 1
                } else {
                    programme.id = ProgrammeIDs.make()
                    let stored = try Self.write(
                        programme,
                        kind: .imported,
                        fields: [],
                        reason: "",
                        actor: actor,
                        created: nil,
                        in: db
                    )
                    outcome.revision = stored.revision
                    outcome.created += 1
                }
            }
            return outcome
        }
        if outcome.created + outcome.updated > 0 { notifier.publish(revision: outcome.revision) }
        return outcome
    }

    public func putExchangeRates(_ rates: [ExchangeRate]) async throws -> Int {
        try await pool.write { db in
            for rate in rates {
                try db.execute(
                    sql: """
                        INSERT INTO exchange_rates (from_currency, to_currency, date, rate, source) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT (from_currency, to_currency, date) DO UPDATE SET rate = excluded.rate,
                            source = excluded.source
                        """,
                    arguments: [rate.from.code, rate.to.code, rate.date.description, rate.decimalString, rate.source]
                )
            }
            return rates.count
        }
    }

    // MARK: In a write transaction

    /// Writes `programme` (new when `created` is nil) with its filter rows, and logs the change.
    static func write(
        _ programme: Programme,
        kind: ProgrammeChangeKind,
        fields: [String],
        reason: String,
        actor: String,
        created: Int64?,
        in db: Database
    ) throws -> StoredProgramme {
        let now = ProgrammeIDs.now()
        let document = try StoredDocuments.encode(programme)
        let revision = try changeLog.append(
            ProgrammeChange(
                operation: created == nil ? .inserted : .updated,
                programmeID: programme.id,
                kind: kind,
                time: now,
                actor: actor,
                fields: fields,
                reason: reason,
                document: document
            ),
            in: db
        )
        let stored = StoredProgramme(
            programme: programme,
            etag: "v\(revision)",
            created: created ?? now,
            updated: now,
            revision: revision
        )
        try db.execute(
            sql: """
                INSERT INTO programmes (id, iati_identifier, kind, status, title, parent_id, etag, created, updated,
                    revision, document)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET iati_identifier = excluded.iati_identifier, kind = excluded.kind,
                    status = excluded.status, title = excluded.title, parent_id = excluded.parent_id,
                    etag = excluded.etag, updated = excluded.updated, revision = excluded.revision,
                    document = excluded.document
                """,
            arguments: [
                programme.id, programme.iatiIdentifier, programme.kind.rawValue, programme.status.rawValue,
                programme.title, programme.parentID, stored.etag, stored.created, stored.updated, revision, document,
            ]
        )
        try writeFilterRows(programme, in: db)
        return stored
    }

    private static func writeFilterRows(_ programme: Programme, in db: Database) throws {
        for table in ProgrammeIndexRows.tables {
            try db.execute(sql: "DELETE FROM \(table) WHERE programme_id = ?", arguments: [programme.id])
        }
        let rows = ProgrammeIndexRows(programme)
        for country in rows.countries {
            try db.execute(
                sql: "INSERT INTO programme_countries (country, programme_id) VALUES (?, ?)",
                arguments: [country, programme.id]
            )
        }
        for partner in rows.partners {
            try db.execute(
                sql: "INSERT INTO programme_partners (name_key, type, programme_id) VALUES (?, ?, ?)",
                arguments: [partner.nameKey, partner.type, programme.id]
            )
        }
        for code in rows.sdgs {
            try db.execute(
                sql: "INSERT INTO programme_sdgs (code, programme_id) VALUES (?, ?)",
                arguments: [code, programme.id]
            )
        }
    }

    /// The parent must exist, and must not be the programme or one of its descendants.
    static func checkParent(of programme: Programme, in db: Database) throws {
        guard let parent = programme.parentID else { return }
        let ancestors = try String.fetchAll(
            db.cachedStatement(sql: ProgrammeWriteRules.ancestorChainSQL(parameter: "?")),
            arguments: [parent]
        )
        try ProgrammeWriteRules.checkParent(of: programme, ancestors: ancestors)
    }

    /// The programme here that an IATI parent identifier names, if any.
    private static func parentID(ofIATIParent identifier: String?, in db: Database) throws -> String? {
        guard let identifier else { return nil }
        return try String.fetchOneCached(
            db,
            sql: "SELECT id FROM programmes WHERE iati_identifier = ?",
            arguments: [identifier]
        )
    }
}
