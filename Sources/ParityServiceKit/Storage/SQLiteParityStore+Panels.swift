import Foundation
import GRDB
import IsidStorage

extension SQLiteParityStore {
    public func createPanel(_ panel: Panel, actor: String) async throws -> StoredPanel {
        let stored = try await pool.write { db -> StoredPanel in
            guard let event = try Self.storedEvent(id: panel.eventID, in: db) else {
                throw ParityStoreError.notFound(kind: "event", id: panel.eventID)
            }
            var panel = panel
            if event.event.example { panel.example = true }
            let id = ParityIDs.make("pnl")
            let now = ParityIDs.now()
            let revision = try Self.append(
                ParityChange(
                    operation: .inserted,
                    kind: .panelChanged,
                    time: now,
                    eventID: panel.eventID,
                    panelID: id,
                    fields: ["panel_created"],
                    actor: actor
                ),
                in: db
            )
            try db.execute(
                sql: """
                    INSERT INTO panels (id, event_id, example, verdict, policy_version, etag, created, updated, document)
                    VALUES (?, ?, ?, '', 0, ?, ?, ?, ?)
                    """,
                arguments: [id, panel.eventID, panel.example, String(revision), now, now, try Self.encode(panel)]
            )
            return StoredPanel(
                id: id,
                panel: panel,
                participantIDs: [],
                counts: ParticipantCounts(),
                etag: String(revision),
                created: now,
                updated: now
            )
        }
        notifier.publish(revision: Int64(stored.etag) ?? 0)
        return stored
    }

    public func panel(id: String) async throws -> StoredPanel? {
        try await pool.read { db in try Self.storedPanel(id: id, in: db) }
    }

    public func panels(eventID: String) async throws -> [StoredPanel] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT id FROM panels WHERE event_id = ? ORDER BY created, id",
                arguments: [eventID]
            ).compactMap { try Self.storedPanel(id: $0, in: db) }
        }
    }

    public func modifyPanel(
        id: String,
        expectedEtag: String?,
        fields: [String],
        actor: String,
        change: @Sendable (inout Panel) throws -> Void
    ) async throws -> StoredPanel {
        let (stored, head) = try await pool.write { db -> (StoredPanel, Int64) in
            var stored = try Self.requirePanel(id: id, expectedEtag: expectedEtag, in: db)
            let eventID = stored.panel.eventID
            try change(&stored.panel)
            stored.panel.eventID = eventID  // a panel stays with its event
            if try Self.storedEvent(id: eventID, in: db)?.event.example == true { stored.panel.example = true }
            let now = ParityIDs.now()
            let revision = try Self.touchPanel(&stored, fields: fields, actor: actor, now: now, in: db)
            try db.execute(
                sql: "UPDATE panels SET example = ?, document = ? WHERE id = ?",
                arguments: [stored.panel.example, try Self.encode(stored.panel), id]
            )
            return (stored, revision)
        }
        notifier.publish(revision: head)
        return stored
    }

    // MARK: Shared by panel and participant writes

    /// The panel, checked against the etag the caller sent.
    static func requirePanel(id: String, expectedEtag: String?, in db: Database) throws -> StoredPanel {
        guard let stored = try storedPanel(id: id, in: db) else {
            throw ParityStoreError.notFound(kind: "panel", id: id)
        }
        if let expectedEtag, expectedEtag != stored.etag {
            throw ParityStoreError.staleEtag(kind: "panel", id: id, current: stored.etag)
        }
        return stored
    }

    /// Appends the panel's change, gives it a new etag, and records a compliance change if its verdict moved.
    /// Returns the newest revision written.
    static func touchPanel(
        _ stored: inout StoredPanel,
        fields: [String],
        actor: String,
        now: Int64,
        in db: Database
    ) throws -> Int64 {
        let revision = try append(
            ParityChange(
                operation: .updated,
                kind: .panelChanged,
                time: now,
                eventID: stored.panel.eventID,
                panelID: stored.id,
                fields: fields,
                actor: actor
            ),
            in: db
        )
        stored.etag = String(revision)
        stored.updated = now
        try db.execute(
            sql: "UPDATE panels SET etag = ?, updated = ? WHERE id = ?",
            arguments: [stored.etag, now, stored.id]
        )
        return try recordCompliance(panelIDs: [stored.id], time: now, actor: actor, in: db) ?? revision
    }

    static func storedPanel(id: String, in db: Database) throws -> StoredPanel? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT etag, created, updated, document FROM panels WHERE id = ?"),
                arguments: [id]
            )
        else { return nil }
        let members = try participantRows(panelID: id, in: db)
        return StoredPanel(
            id: id,
            panel: try decode(Panel.self, row[3]),
            participantIDs: members.map(\.id),
            counts: ParticipantCounts(members.map { ($0.role, $0.gender) }),
            etag: row[0],
            created: row[1],
            updated: row[2]
        )
    }

    /// The panel's participants' ids, roles and genders, in the order added: no names.
    static func participantRows(
        panelID: String,
        in db: Database
    ) throws -> [(id: String, role: ParticipantRole, gender: Gender)] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, role, gender FROM participants WHERE panel_id = ? ORDER BY position"),
            arguments: [panelID]
        ).map { row in
            (
                id: row[0], role: ParticipantRole(rawValue: row[1]) ?? .speaker,
                gender: Gender(rawValue: row[2]) ?? .undisclosed
            )
        }
    }
}
