import IsidStorage
import PostgresNIO

extension PostgresIndicatorStore {
    public func upsert(_ rows: [ObservationRecord], currentYear: Int) async throws -> UpsertOutcome {
        let outcome = try await database.withTransaction(logger: logger) { connection in
            let log = try await Self.changeLog.appender(in: connection, logger: self.logger)
            let outcome = try await self.upsert(rows, currentYear: currentYear, log: log, on: connection)
            if outcome.inserted + outcome.updated > 0 { try await log.notify() }
            return outcome
        }
        if outcome.inserted + outcome.updated > 0 { notifier.publish(revision: outcome.revision) }
        return outcome
    }

    public func importExtract(
        _ extract: IndicatorExtract,
        withdrawingMissing: Bool,
        currentYear: Int
    ) async throws -> DataImporter.Summary {
        let summary = try await database.withTransaction(logger: logger) { connection in
            let log = try await Self.changeLog.appender(in: connection, logger: self.logger)
            for series in extract.series { try await self.save(series, on: connection) }
            for area in extract.areas { try await self.save(area, on: connection) }
            for area in extract.areas where area.kind == .aggregate {
                try await self.saveMembers(of: area, on: connection)
            }
            var summary = DataImporter.Summary()
            summary.series = extract.series.count
            summary.areas = extract.areas.count
            let catalogue = try await self.catalogue(on: connection)
            let reader = try extract.observations.makeReader()
            summary.observations.revision = log.head
            while let batch = try reader.next() {
                summary.observations.add(
                    try await self.upsert(
                        batch,
                        currentYear: currentYear,
                        catalogue: catalogue,
                        log: log,
                        on: connection
                    )
                )
            }
            if withdrawingMissing {
                summary.withdrawn = try await self.withdrawObservations(
                    keeping: reader.hasRead,
                    log: log,
                    on: connection
                )
                summary.observations.revision = log.head
            }
            try await log.notify()
            return summary
        }
        notifier.publish(revision: summary.observations.revision)
        return summary
    }

    /// Checks the batch as a whole, then writes what differs from what is stored: the changes logged and
    /// the rows written a few hundred per statement, in the caller's transaction (whose log lock it holds).
    private func upsert(
        _ rows: [ObservationRecord],
        currentYear: Int,
        catalogue: ObservationUpsert.Catalogue? = nil,
        log: PostgresChangeLog<ObservationChange>.Appender,
        on connection: PostgresConnection
    ) async throws -> UpsertOutcome {
        let catalogue = try await catalogue.asyncOr { try await self.catalogue(on: connection) }
        try ObservationUpsert.validate(rows, against: catalogue, currentYear: currentYear)

        let stored = try await storedObservations(for: rows.map(\.key), on: connection)
        let (changes, unchanged) = ObservationUpsert.changes(for: rows) { stored[$0] }
        let revisions = try await log.append(contentsOf: changes)
        var written = changes.map(\.observation)
        for index in written.indices { written[index].revision = revisions[index] }
        try await write(written, on: connection)
        try await recordLastRevisions(of: written, on: connection)
        return ObservationUpsert.outcome(changes, unchanged: unchanged, revision: log.head)
    }

    /// The series' units and the area codes, which rows are checked against.
    private func catalogue(on connection: PostgresConnection) async throws -> ObservationUpsert.Catalogue {
        var catalogue = ObservationUpsert.Catalogue(seriesUnits: [:], areaCodes: [])
        for try await (code, unit) in try await connection.query("SELECT code, unit FROM series", logger: logger)
            .decode((String, String).self)
        {
            catalogue.seriesUnits[code] = unit
        }
        for try await code in try await connection.query("SELECT code FROM areas", logger: logger).decode(String.self) {
            catalogue.areaCodes.insert(code)
        }
        return catalogue
    }

    /// The stored observations at `keys`.
    private func storedObservations(
        for keys: [ObservationKey],
        on connection: PostgresConnection
    ) async throws -> [ObservationKey: ObservationRecord] {
        guard !keys.isEmpty else { return [:] }
        var statement = PostgresStatement()
        let series = statement.bind(keys.map(\.seriesCode))
        let areas = statement.bind(keys.map(\.areaCode))
        let years = statement.bind(keys.map { Int32($0.year) })
        let sql = """
            SELECT \(Self.observationColumns) FROM observations o
            JOIN unnest(\(series)::TEXT[], \(areas)::TEXT[], \(years)::INTEGER[]) AS k(series_code, area_code, year)
                USING (series_code, area_code, year)
            """
        let records = try await observations(statement.query(sql), on: connection)
        return Dictionary(records.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Inserts or replaces `rows`, a few hundred per statement.
    private func write(_ rows: [ObservationRecord], on connection: PostgresConnection) async throws {
        for chunk in stride(from: 0, to: rows.count, by: 1000).map({ rows[$0..<min($0 + 1000, rows.count)] }) {
            var statement = PostgresStatement()
            let sql = """
                INSERT INTO observations (series_code, area_code, year, value, unit, nature, source, footnote, revision)
                SELECT * FROM unnest(
                    \(statement.bind(chunk.map(\.seriesCode)))::TEXT[], \(statement.bind(chunk.map(\.areaCode)))::TEXT[],
                    \(statement.bind(chunk.map { Int32($0.year) }))::INTEGER[],
                    \(statement.bind(chunk.map(\.value)))::DOUBLE PRECISION[],
                    \(statement.bind(chunk.map(\.unit)))::TEXT[], \(statement.bind(chunk.map(\.nature)))::TEXT[],
                    \(statement.bind(chunk.map(\.source)))::TEXT[], \(statement.bind(chunk.map(\.footnote)))::TEXT[],
                    \(statement.bind(chunk.map(\.revision)))::BIGINT[])
                ON CONFLICT (series_code, area_code, year) DO UPDATE SET value = excluded.value, unit = excluded.unit,
                    nature = excluded.nature, source = excluded.source, footnote = excluded.footnote,
                    revision = excluded.revision
                """
            try await connection.query(statement.query(sql), logger: logger)
        }
    }

    /// Moves each touched series' `last_revision` (what `GetLatestValues(if_changed_since)` compares) to the
    /// newest change written to it.
    private func recordLastRevisions(of rows: [ObservationRecord], on connection: PostgresConnection) async throws {
        var newest: [String: Int64] = [:]
        for row in rows { newest[row.seriesCode] = max(newest[row.seriesCode] ?? 0, row.revision) }
        guard !newest.isEmpty else { return }
        var statement = PostgresStatement()
        let codes = statement.bind(Array(newest.keys))
        let revisions = statement.bind(Array(newest.values))
        let sql = """
            UPDATE series SET last_revision = v.revision
            FROM unnest(\(codes)::TEXT[], \(revisions)::BIGINT[]) AS v(code, revision) WHERE series.code = v.code
            """
        try await connection.query(statement.query(sql), logger: logger)
    }

    /// Removes every stored observation whose key `isKept` refuses, logging each as a withdrawal with the
    /// row as it was; returns how many.
    private func withdrawObservations(
        keeping isKept: (ObservationKey) -> Bool,
        log: PostgresChangeLog<ObservationChange>.Appender,
        on connection: PostgresConnection
    ) async throws -> Int {
        // Filtered as the rows stream in: only the withdrawn ones are held.
        let missing = try await observations(
            PostgresQuery(unsafeSQL: "SELECT \(Self.observationColumns) FROM observations o"),
            on: connection,
            keeping: { !isKept($0.key) }
        )
        guard !missing.isEmpty else { return 0 }
        let revisions = try await log.append(
            contentsOf: missing.map {
                ObservationChange(operation: .withdrawn, observation: $0, previousValue: $0.value)
            }
        )
        var statement = PostgresStatement()
        let sql = """
            DELETE FROM observations o
            USING unnest(\(statement.bind(missing.map(\.seriesCode)))::TEXT[], \(statement.bind(missing.map(\.areaCode)))::TEXT[],
                \(statement.bind(missing.map { Int32($0.year) }))::INTEGER[]) AS k(series_code, area_code, year)
            WHERE o.series_code = k.series_code AND o.area_code = k.area_code AND o.year = k.year
            """
        try await connection.query(statement.query(sql), logger: logger)
        var withdrawn = missing
        for index in withdrawn.indices { withdrawn[index].revision = revisions[index] }
        try await recordLastRevisions(of: withdrawn, on: connection)
        return missing.count
    }

    // MARK: Catalogue

    private func save(_ series: SeriesInfo, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO series (code, sdg_indicator, description, unit, unit_description, better, direction_note,
                custodian)
            VALUES (\(series.code), \(series.sdgIndicator), \(series.description), \(series.unit),
                \(series.unitDescription), \(series.better?.rawValue), \(series.directionNote), \(series.custodian))
            ON CONFLICT (code) DO UPDATE SET sdg_indicator = excluded.sdg_indicator,
                description = excluded.description, unit = excluded.unit, unit_description = excluded.unit_description,
                better = excluded.better, direction_note = excluded.direction_note, custodian = excluded.custodian
            """,
            logger: logger
        )
    }

    private func save(_ area: AreaInfo, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO areas (code, kind, name, un_sdg_name, iso_alpha3, iso_alpha2, m49, region, region_m49,
                sub_region, sub_region_m49, intermediate_region, intermediate_region_m49, wb_region, income_group, ldc)
            VALUES (\(area.code), \(area.kind.rawValue), \(area.name), \(area.unSDGName), \(area.isoAlpha3),
                \(area.isoAlpha2), \(area.m49), \(area.region), \(area.regionM49), \(area.subRegion),
                \(area.subRegionM49), \(area.intermediateRegion), \(area.intermediateRegionM49), \(area.wbRegion),
                \(area.incomeGroup), \(area.ldc))
            ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, name = excluded.name,
                un_sdg_name = excluded.un_sdg_name, iso_alpha3 = excluded.iso_alpha3, iso_alpha2 = excluded.iso_alpha2,
                m49 = excluded.m49, region = excluded.region, region_m49 = excluded.region_m49,
                sub_region = excluded.sub_region, sub_region_m49 = excluded.sub_region_m49,
                intermediate_region = excluded.intermediate_region,
                intermediate_region_m49 = excluded.intermediate_region_m49, wb_region = excluded.wb_region,
                income_group = excluded.income_group, ldc = excluded.ldc
            """,
            logger: logger
        )
    }

    private func saveMembers(of area: AreaInfo, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM area_members WHERE group_code = \(area.code)", logger: logger)
        try await connection.query(
            """
            INSERT INTO area_members (group_code, member_code)
            SELECT \(area.code), member FROM unnest(\(area.memberCodes)::TEXT[]) AS member
            """,
            logger: logger
        )
    }
}

extension Optional {
    /// The value, or else `make()`'s.
    fileprivate func asyncOr(_ make: () async throws -> Wrapped) async rethrows -> Wrapped {
        if let self { return self }
        return try await make()
    }
}
