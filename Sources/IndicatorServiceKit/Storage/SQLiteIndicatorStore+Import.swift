import GRDB
import IsidStorage

extension SQLiteIndicatorStore {
    public func importExtract(
        _ extract: IndicatorExtract,
        withdrawingMissing: Bool,
        currentYear: Int
    ) async throws -> DataImporter.Summary {
        let summary = try await pool.write { db in
            for item in extract.series { try Self.save(item, in: db) }
            for area in extract.areas { try Self.save(area, in: db) }
            for area in extract.areas where area.kind == .aggregate { try Self.saveMembers(of: area, in: db) }
            var summary = DataImporter.Summary()
            summary.series = extract.series.count
            summary.areas = extract.areas.count
            let catalogue = try Self.catalogue(in: db)
            let reader = try extract.observations.makeReader()
            summary.observations.revision = try Self.currentRevision(db)
            while let batch = try reader.next() {
                summary.observations.add(
                    try Self.upsert(batch, currentYear: currentYear, catalogue: catalogue, in: db)
                )
            }
            if withdrawingMissing {
                summary.withdrawn = try Self.withdrawObservations(keeping: reader.hasRead, in: db)
                summary.observations.revision = try Self.currentRevision(db)
            }
            return summary
        }
        notifier.publish(revision: summary.observations.revision)
        return summary
    }
}

/// Upserts of the catalogue tables (series, areas, aggregate members), idempotent.
extension SQLiteIndicatorStore {
    static func save(_ series: SeriesInfo, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO series (code, sdg_indicator, description, unit, unit_description, better, direction_note,
                    custodian) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (code) DO UPDATE SET sdg_indicator = excluded.sdg_indicator,
                    description = excluded.description, unit = excluded.unit,
                    unit_description = excluded.unit_description, better = excluded.better,
                    direction_note = excluded.direction_note, custodian = excluded.custodian
                """,
            arguments: [
                series.code, series.sdgIndicator, series.description, series.unit, series.unitDescription,
                series.better?.rawValue, series.directionNote, series.custodian,
            ]
        )
    }

    static func save(_ area: AreaInfo, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO areas (code, kind, name, un_sdg_name, iso_alpha3, iso_alpha2, m49, region, region_m49,
                    sub_region, sub_region_m49, intermediate_region, intermediate_region_m49, wb_region, income_group,
                    ldc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (code) DO UPDATE SET kind = excluded.kind, name = excluded.name,
                    un_sdg_name = excluded.un_sdg_name, iso_alpha3 = excluded.iso_alpha3,
                    iso_alpha2 = excluded.iso_alpha2, m49 = excluded.m49, region = excluded.region,
                    region_m49 = excluded.region_m49, sub_region = excluded.sub_region,
                    sub_region_m49 = excluded.sub_region_m49, intermediate_region = excluded.intermediate_region,
                    intermediate_region_m49 = excluded.intermediate_region_m49, wb_region = excluded.wb_region,
                    income_group = excluded.income_group, ldc = excluded.ldc
                """,
            arguments: [
                area.code, area.kind.rawValue, area.name, area.unSDGName, area.isoAlpha3, area.isoAlpha2, area.m49,
                area.region, area.regionM49, area.subRegion, area.subRegionM49, area.intermediateRegion,
                area.intermediateRegionM49, area.wbRegion, area.incomeGroup, area.ldc,
            ]
        )
    }

    static func saveMembers(of area: AreaInfo, in db: Database) throws {
        try db.execute(sql: "DELETE FROM area_members WHERE group_code = ?", arguments: [area.code])
        for member in area.memberCodes {
            try db.execute(
                sql: "INSERT INTO area_members (group_code, member_code) VALUES (?, ?)",
                arguments: [area.code, member]
            )
        }
    }
}
