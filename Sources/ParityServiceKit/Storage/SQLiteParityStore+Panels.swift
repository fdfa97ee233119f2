import GRDB
import IsidStorage

extension SQLiteParityStore {
    public func createPanel(_ panel: Panel, actor: String) async throws -> StoredPanel {
        let stored = try await pool.write { db -> StoredPanel in
            var (stored, creation) = try ParityWrite.creating(
                panel,
                of: try Self.storedEvent(id: panel.eventID, in: db),
                actor: actor
            )
            stored.stamp(revision: try Self.append(creation, in: db), now: creation.time)
            try db.execute(
                sql: """
                    INSERT INTO panels (id, event_id, example, verdict, policy_version, etag, created, updated, document)
                    VALUES (?, ?, ?, '', 0, ?, ?, ?, ?)
                    """,
                arguments: [
                    stored.id, stored.panel.eventID, stored.panel.example, stored.etag, stored.created,
                    stored.updated, try StoredDocuments.encode(stored.panel),
                ]
            )
            return stored
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
            let event = try Self.storedEvent(id: stored.panel.eventID, in: db)
            try ParityWrite.modifying(&stored.panel, eventIsExample: event?.event.example == true, change: change)
            let revision = try Self.touchPanel(&stored, fields: fields, actor: actor, now: ParityIDs.now(), in: db)
            try db.execute(
                sql: "UPDATE panels SET example = ?, document = ? WHERE id = ?",
                arguments: [stored.panel.example, try StoredDocuments.encode(stored.panel), id]
            )
            return (stored, revision)
        }
        notifier.publish(revision: head)
        return stored
    }

    // MARK: Shared by panel and participant writes

    /// The panel, checked against the etag the caller sent.
    static func requirePanel(id: String, expectedEtag: String?, in db: Database) throws -> StoredPanel {
        try ParityWrite.require(try storedPanel(id: id, in: db), kind: "panel", id: id, expectedEtag: expectedEtag)
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
        let revision = try append(ParityWrite.panelChange(of: stored, fields: fields, actor: actor, now: now), in: db)
        stored.stamp(revision: revision, now: now)
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
        return try StoredPanel(
            id: id,
            etag: row[0],
            created: row[1],
            updated: row[2],
            document: row[3],
            members: try participantRows(panelID: id, in: db)
        )
    }

    /// The panel's participants' ids, roles and genders, in the order added: no names.
    static func participantRows(panelID: String, in db: Database) throws -> [PanelMember] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT id, role, gender FROM participants WHERE panel_id = ? ORDER BY position"),
            arguments: [panelID]
        ).map { row in PanelMember(id: row[0], roleText: row[1], genderText: row[2]) }
    }
}
