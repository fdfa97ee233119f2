import Foundation
import IsidStorage
import NIOCore
import PostgresNIO

extension PostgresProgrammeStore {
    /// Runs `body` in a transaction holding the change log's lock (writes take turns, as in SQLite), notifies
    /// the other replicas when it logged something, and wakes this replica's watchers after the commit.
    func write<Result: Sendable>(
        _ body: (PostgresChangeLog<ProgrammeChange>.Appender, PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let (result, head, logged) = try await database.withTransaction(logger: logger) { connection in
            let log = try await Self.changeLog.appender(in: connection, logger: self.logger)
            let start = log.next
            let result = try await body(log, connection)
            let logged = log.next > start
            if logged { try await log.notify() }
            return (result, log.head, logged)
        }
        if logged { notifier.publish(revision: head) }
        return result
    }

    public func create(_ programme: Programme, requestID: String?, actor: String) async throws -> StoredProgramme {
        try await write { log, connection in
            if let requestID, let known = try await self.programmeID(requestID: requestID, on: connection),
                let stored = try await self.stored(id: known, on: connection)
            {
                return stored
            }
            var programme = programme
            programme.id = ProgrammeIDs.make()
            try await self.checkParent(of: programme, on: connection)
            let stored = try await self.write(
                programme,
                kind: .created,
                created: nil,
                actor: actor,
                log: log,
                on: connection
            )
            if let requestID {
                var statement = PostgresStatement()
                let sql = """
                    INSERT INTO idempotency_keys (request_id, programme_id)
                    VALUES (\(statement.bind(requestID)), \(statement.bind(stored.programme.id)))
                    """
                try await connection.query(statement.query(sql), logger: self.logger)
            }
            return stored
        }
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
        try await write { log, connection in
            let current = try await self.stored(id: id, on: connection)
            let (programme, parentChanged) = try ProgrammeWriteRules.modified(
                current,
                id: id,
                expectedEtag: expectedEtag,
                by: change
            )
            if parentChanged { try await self.checkParent(of: programme, on: connection) }
            return try await self.write(
                programme,
                kind: kind,
                fields: fields,
                reason: reason,
                created: current?.created,
                actor: actor,
                log: log,
                on: connection
            )
        }
    }

    public func importActivities(_ programmes: [Programme], actor: String) async throws -> ImportOutcome {
        try await write { log, connection in
            var outcome = ImportOutcome()
            for var programme in programmes {
                let existingID = try await self.programmeID(
                    iatiIdentifier: programme.iatiIdentifier ?? "",
                    on: connection
                )
                let existing = try await existingID.asyncFlatMap { try await self.stored(id: $0, on: connection) }
                let parent = try await programme.parentIATIIdentifier.asyncFlatMap {
                    try await self.programmeID(iatiIdentifier: $0, on: connection)
                }
                programme.parentID = parent ?? existing?.programme.parentID
                if let existing {
                    guard let merged = ProgrammeWriteRules.merge(activity: programme, into: existing.programme) else {
                        outcome.unchanged += 1
                        continue
                    }
                    programme = merged
                    outcome.updated += 1
                } else {
                    programme.id = ProgrammeIDs.make()
                    outcome.created += 1
                }
                _ = try await self.write(
                    programme,
                    kind: .imported,
                    created: existing?.created,
                    actor: actor,
                    log: log,
                    on: connection
                )
            }
            outcome.revision = log.head
            return outcome
        }
    }

    public func putExchangeRates(_ rates: [ExchangeRate]) async throws -> Int {
        // One statement may not set a row twice: of rates for the same currencies and date, the last wins, as
        // when they are written one by one.
        var seen: Set<[String]> = []
        let unique = rates.reversed().filter { seen.insert([$0.from.code, $0.to.code, $0.date.description]).inserted }
        guard !unique.isEmpty else { return 0 }
        var statement = PostgresStatement()
        let sql = """
            INSERT INTO exchange_rates (from_currency, to_currency, date, rate, source)
            SELECT * FROM unnest(
                \(statement.bind(unique.map(\.from.code)))::TEXT[], \(statement.bind(unique.map(\.to.code)))::TEXT[],
                \(statement.bind(unique.map(\.date.description)))::TEXT[],
                \(statement.bind(unique.map(\.decimalString)))::TEXT[], \(statement.bind(unique.map(\.source)))::TEXT[])
            ON CONFLICT (from_currency, to_currency, date) DO UPDATE SET rate = excluded.rate, source = excluded.source
            """
        try await database.query(statement.query(sql), logger: logger)
        return rates.count
    }

    public func seed(_ dataset: ReportedDataset, actor: String) async throws -> Bool {
        try await write { log, connection in
            var statement = PostgresStatement()
            let claim = """
                INSERT INTO seeded_datasets (name, seeded)
                VALUES (\(statement.bind(dataset.name)), \(statement.bind(ProgrammeIDs.now())))
                ON CONFLICT (name) DO NOTHING RETURNING name
                """
            var claimed = false
            for try await _ in try await connection.query(statement.query(claim), logger: self.logger) {
                claimed = true
            }
            guard claimed else { return false }
            let (programmes, figures) = dataset.assigningNewIDs()
            for programme in programmes {
                _ = try await self.write(
                    programme,
                    kind: .created,
                    reason: "seeded from \(dataset.name)",
                    created: nil,
                    actor: actor,
                    log: log,
                    on: connection
                )
            }
            for figure in figures {
                var insert = PostgresStatement()
                let sql = """
                    INSERT INTO reported_figures (id, programme_id, document)
                    VALUES (\(insert.bind(figure.id)), \(insert.bind(figure.programmeID)),
                        \(insert.bind(ByteBuffer(bytes: try StoredDocuments.encode(figure)))))
                    """
                try await connection.query(insert.query(sql), logger: self.logger)
            }
            return true
        }
    }

    // MARK: In a write transaction

    /// Writes `programme` (new when `created` is nil) with its filter rows, and logs the change.
    private func write(
        _ programme: Programme,
        kind: ProgrammeChangeKind,
        fields: [String] = [],
        reason: String = "",
        created: Int64?,
        actor: String,
        log: PostgresChangeLog<ProgrammeChange>.Appender,
        on connection: PostgresConnection
    ) async throws -> StoredProgramme {
        let now = ProgrammeIDs.now()
        let document = try StoredDocuments.encode(programme)
        let revision = try await log.append(
            ProgrammeChange(
                operation: created == nil ? .inserted : .updated,
                programmeID: programme.id,
                kind: kind,
                time: now,
                actor: actor,
                fields: fields,
                reason: reason,
                document: document
            )
        )
        let stored = StoredProgramme(
            programme: programme,
            etag: "v\(revision)",
            created: created ?? now,
            updated: now,
            revision: revision
        )
        var statement = PostgresStatement()
        let values = [
            statement.bind(programme.id), statement.bind(programme.iatiIdentifier),
            statement.bind(programme.kind.rawValue), statement.bind(programme.status.rawValue),
            statement.bind(programme.title), statement.bind(programme.parentID), statement.bind(stored.etag),
            statement.bind(stored.created), statement.bind(stored.updated), statement.bind(revision),
            statement.bind(ByteBuffer(bytes: document)),
        ]
        let sql = """
            INSERT INTO programmes (id, iati_identifier, kind, status, title, parent_id, etag, created, updated,
                revision, document)
            VALUES (\(values.joined(separator: ", ")))
            ON CONFLICT (id) DO UPDATE SET iati_identifier = excluded.iati_identifier, kind = excluded.kind,
                status = excluded.status, title = excluded.title, parent_id = excluded.parent_id,
                etag = excluded.etag, updated = excluded.updated, revision = excluded.revision,
                document = excluded.document
            """
        try await connection.query(statement.query(sql), logger: logger)
        try await writeIndexRows(programme, on: connection)
        return stored
    }

    /// Replaces the programme's rows in the filter tables.
    private func writeIndexRows(_ programme: Programme, on connection: PostgresConnection) async throws {
        let rows = ProgrammeIndexRows(programme)
        for table in ProgrammeIndexRows.tables {
            var statement = PostgresStatement()
            let sql = "DELETE FROM \(table) WHERE programme_id = \(statement.bind(programme.id))"
            try await connection.query(statement.query(sql), logger: logger)
        }
        var statement = PostgresStatement()
        let id = statement.bind(programme.id)
        let countries = statement.bind(rows.countries)
        let names = statement.bind(rows.partners.map(\.nameKey))
        let types = statement.bind(rows.partners.map(\.type))
        let sdgs = statement.bind(rows.sdgs)
        // One statement for the three tables; each data-modifying WITH part runs exactly once.
        let sql = """
            WITH countries AS (
                INSERT INTO programme_countries (country, programme_id) SELECT unnest(\(countries)::TEXT[]), \(id)
            ), partners AS (
                INSERT INTO programme_partners (name_key, type, programme_id)
                SELECT n, t, \(id) FROM unnest(\(names)::TEXT[], \(types)::TEXT[]) AS p(n, t)
            )
            INSERT INTO programme_sdgs (code, programme_id) SELECT unnest(\(sdgs)::TEXT[]), \(id)
            """
        try await connection.query(statement.query(sql), logger: logger)
    }

    /// The parent must exist, and must not be the programme or one of its descendants.
    private func checkParent(of programme: Programme, on connection: PostgresConnection) async throws {
        guard let parent = programme.parentID else { return }
        var statement = PostgresStatement()
        let sql = ProgrammeWriteRules.ancestorChainSQL(parameter: statement.bind(parent))
        var ancestors: [String] = []
        for try await id in try await connection.query(statement.query(sql), logger: logger).decode(String.self) {
            ancestors.append(id)
        }
        try ProgrammeWriteRules.checkParent(of: programme, ancestors: ancestors)
    }

    /// The programme a request id created, if the request was seen before.
    private func programmeID(requestID: String, on connection: PostgresConnection) async throws -> String? {
        var statement = PostgresStatement()
        let sql = "SELECT programme_id FROM idempotency_keys WHERE request_id = \(statement.bind(requestID))"
        for try await id in try await connection.query(statement.query(sql), logger: logger).decode(String.self) {
            return id
        }
        return nil
    }
}

extension Optional {
    fileprivate func asyncFlatMap<Other>(_ transform: (Wrapped) async throws -> Other?) async rethrows -> Other? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
