import Foundation
import GRDB
import IsidStorage

extension SQLiteParityStore {
    public func policies() async throws -> [PolicyVersion] {
        try await pool.read { db in try Self.policies(in: db) }
    }

    public func publishPolicy(_ policy: PolicyVersion, actor: String) async throws -> PolicyVersion {
        let (published, head) = try await pool.write { db -> (PolicyVersion, Int64) in
            let published = try ParityWrite.publishing(policy, after: PolicyHistory(try Self.policies(in: db)))
            try db.execute(
                sql: "INSERT INTO policies (version, effective_day, published, document) VALUES (?, ?, ?, ?)",
                arguments: [
                    published.version, published.effectiveDate.earliestDay.description, published.published,
                    try StoredDocuments.encode(published),
                ]
            )
            let revision = try Self.append(ParityWrite.publication(of: published, actor: actor), in: db)
            // Panels of events on or after the new date may change verdict.
            let panels = try String.fetchAll(
                db,
                sql: """
                    SELECT panels.id FROM panels JOIN events ON events.id = panels.event_id
                    WHERE events.start_day IS NOT NULL ORDER BY panels.id
                    """
            )
            let head = try Self.recordCompliance(panelIDs: panels, time: published.published, actor: actor, in: db)
            return (published, head ?? revision)
        }
        notifier.publish(revision: head)
        return published
    }

    static func policies(in db: Database) throws -> [PolicyVersion] {
        try Data.fetchAll(db, sql: "SELECT document FROM policies ORDER BY version").map {
            try StoredDocuments.decode(PolicyVersion.self, $0)
        }
    }

    /// Evaluates each panel as it now stands and, where the verdict differs from the one recorded, records
    /// the new one and appends a compliance change. Returns the last revision appended, if any.
    static func recordCompliance(panelIDs: [String], time: Int64, actor: String, in db: Database) throws -> Int64? {
        guard !panelIDs.isEmpty else { return nil }
        let history = PolicyHistory(try policies(in: db))
        var events: [String: StoredEvent] = [:]
        var last: Int64?
        for panelID in panelIDs {
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT event_id, verdict FROM panels WHERE id = ?",
                    arguments: [panelID]
                )
            else { continue }
            let eventID: String = row[0]
            if events[eventID] == nil { events[eventID] = try storedEvent(id: eventID, in: db) }
            guard let event = events[eventID],
                let change = ParityWrite.compliance(
                    panelID: panelID,
                    event: event,
                    previous: Verdict(rawValue: row[1]),
                    counts: ParticipantCounts(try participantRows(panelID: panelID, in: db)),
                    history: history,
                    time: time,
                    actor: actor
                )
            else { continue }
            try db.execute(
                sql: "UPDATE panels SET verdict = ?, policy_version = ? WHERE id = ?",
                arguments: [change.verdictText, change.policyVersion, panelID]
            )
            last = try append(change, in: db)
        }
        return last
    }
}
