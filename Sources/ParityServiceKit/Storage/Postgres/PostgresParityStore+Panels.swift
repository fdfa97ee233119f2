import Foundation
import IsidStorage
import PostgresNIO

extension PostgresParityStore {
    public func createPanel(_ panel: Panel, actor: String) async throws -> StoredPanel {
        try await write { connection, log in
            var (stored, creation) = try ParityWrite.creating(
                panel,
                of: try await self.storedEvent(id: panel.eventID, on: connection),
                actor: actor
            )
            stored.stamp(revision: try await log.append(creation), now: creation.time)
            try await connection.query(
                """
                INSERT INTO panels (id, event_id, example, verdict, policy_version, etag, created, updated, document)
                VALUES (\(stored.id), \(stored.panel.eventID), \(stored.panel.example), '', 0, \(stored.etag),
                    \(stored.created), \(stored.updated), \(try StoredDocuments.encode(stored.panel)))
                """,
                logger: self.logger
            )
            return stored
        }
    }

    public func panel(id: String) async throws -> StoredPanel? {
        try await read { connection in try await self.storedPanel(id: id, on: connection) }
    }

    public func panels(eventID: String) async throws -> [StoredPanel] {
        try await read { connection in
            var panels: [StoredPanel] = []
            let ids = try await self.rows(
                "SELECT id FROM panels WHERE event_id = \(eventID) ORDER BY created, id",
                on: connection
            ) { try $0[0].decode(String.self) }
            for id in ids {
                if let panel = try await self.storedPanel(id: id, on: connection) { panels.append(panel) }
            }
            return panels
        }
    }

    public func modifyPanel(
        id: String,
        expectedEtag: String?,
        fields: [String],
        actor: String,
        change: @Sendable (inout Panel) throws -> Void
    ) async throws -> StoredPanel {
        try await write { connection, log in
            var stored = try await self.requirePanel(id: id, expectedEtag: expectedEtag, on: connection)
            let event = try await self.storedEvent(id: stored.panel.eventID, on: connection)
            try ParityWrite.modifying(&stored.panel, eventIsExample: event?.event.example == true, change: change)
            try await self.touchPanel(
                &stored,
                fields: fields,
                actor: actor,
                now: ParityIDs.now(),
                log: log,
                on: connection
            )
            try await connection.query(
                """
                UPDATE panels SET example = \(stored.panel.example), document = \(try StoredDocuments.encode(stored.panel))
                WHERE id = \(id)
                """,
                logger: self.logger
            )
            return stored
        }
    }

    // MARK: Shared by panel and participant writes

    /// The panel, checked against the etag the caller sent.
    func requirePanel(id: String, expectedEtag: String?, on connection: PostgresConnection) async throws -> StoredPanel
    {
        try ParityWrite.require(
            try await storedPanel(id: id, on: connection),
            kind: "panel",
            id: id,
            expectedEtag: expectedEtag
        )
    }

    /// Appends the panel's change, gives it a new etag, and records a compliance change if its verdict moved.
    func touchPanel(
        _ stored: inout StoredPanel,
        fields: [String],
        actor: String,
        now: Int64,
        log: Log,
        on connection: PostgresConnection
    ) async throws {
        let revision = try await log.append(ParityWrite.panelChange(of: stored, fields: fields, actor: actor, now: now))
        stored.stamp(revision: revision, now: now)
        try await connection.query(
            "UPDATE panels SET etag = \(stored.etag), updated = \(now) WHERE id = \(stored.id)",
            logger: logger
        )
        try await recordCompliance(panelIDs: [stored.id], time: now, actor: actor, log: log, on: connection)
    }

    func storedPanel(id: String, on connection: PostgresConnection) async throws -> StoredPanel? {
        let found = try await rows(
            "SELECT etag, created, updated, document FROM panels WHERE id = \(id)",
            on: connection
        ) { row in
            (
                etag: try row[0].decode(String.self), created: try row[1].decode(Int64.self),
                updated: try row[2].decode(Int64.self), document: try row[3].decode(Data.self)
            )
        }
        guard let row = found.first else { return nil }
        return try StoredPanel(
            id: id,
            etag: row.etag,
            created: row.created,
            updated: row.updated,
            document: row.document,
            members: try await participantRows(panelID: id, on: connection)
        )
    }

    /// The panel's participants' ids, roles and genders, in the order added: no names.
    func participantRows(panelID: String, on connection: PostgresConnection) async throws -> [PanelMember] {
        try await rows(
            "SELECT id, role, gender FROM participants WHERE panel_id = \(panelID) ORDER BY position",
            on: connection
        ) { row in
            PanelMember(
                id: try row[0].decode(String.self),
                roleText: try row[1].decode(String.self),
                genderText: try row[2].decode(String.self)
            )
        }
    }
}
