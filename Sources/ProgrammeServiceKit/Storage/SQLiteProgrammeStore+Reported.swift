import Foundation
import GRDB
import IsidStorage

extension SQLiteProgrammeStore {
    public func seed(_ dataset: ReportedDataset, actor: String) async throws -> Bool {
        let revision = try await pool.write { db -> Int64? in
            let seeded = try Bool.fetchOne(
                db,
                sql: "SELECT 1 FROM seeded_datasets WHERE name = ?",
                arguments: [dataset.name]
            )
            if seeded == true { return nil }
            var revision: Int64?
            let (programmes, figures) = dataset.assigningNewIDs()
            for programme in programmes {
                revision =
                    try Self.write(
                        programme,
                        kind: .created,
                        fields: [],
                        reason: "seeded from \(dataset.name)",
                        actor: actor,
                        created: nil,
                        in: db
                    ).revision
            }
            for figure in figures {
                try db.execute(
                    sql: "INSERT INTO reported_figures (id, programme_id, document) VALUES (?, ?, ?)",
                    arguments: [figure.id, figure.programmeID, try StoredDocuments.encode(figure)]
                )
            }
            try db.execute(
                sql: "INSERT INTO seeded_datasets (name, seeded) VALUES (?, ?)",
                arguments: [dataset.name, ProgrammeIDs.now()]
            )
            return revision ?? 0
        }
        guard let revision else { return false }
        if revision > 0 { notifier.publish(revision: revision) }
        return true
    }

    public func reportedFigures(programmeID: String?) async throws -> [ReportedFigure] {
        try await pool.read { db in
            let documents: [Data]
            if let programmeID {
                documents = try Data.fetchAll(
                    db,
                    sql: "SELECT document FROM reported_figures WHERE programme_id = ? ORDER BY id",
                    arguments: [programmeID]
                )
            } else {
                documents = try Data.fetchAll(db, sql: "SELECT document FROM reported_figures ORDER BY id")
            }
            return try documents.map { try StoredDocuments.decode(ReportedFigure.self, $0) }
        }
    }
}
