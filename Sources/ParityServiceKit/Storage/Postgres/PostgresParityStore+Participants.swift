import IsidStorage
import PostgresNIO

extension PostgresParityStore {
    public func addParticipant(
        _ participant: Participant,
        eventID: String,
        panelID: String,
        expectedEtag: String?,
        actor: String
    ) async throws -> (participantID: String, panel: StoredPanel) {
        try await write { connection, log in
            guard try await self.storedEvent(id: eventID, on: connection) != nil else {
                throw ParityStoreError.notFound(kind: "event", id: eventID)
            }
            var stored = try await self.requirePanel(id: panelID, expectedEtag: expectedEtag, on: connection)
            try ParityWrite.requireOnEvent(stored, eventID: eventID)
            let id = ParityIDs.make("par")
            try await connection.query(
                """
                INSERT INTO participants (id, panel_id, position, role, gender, display_name, organisation, erased)
                SELECT \(id), \(panelID), COALESCE(MAX(position), 0) + 1, \(participant.role.rawValue),
                    \(participant.gender.rawValue), \(participant.displayName), \(participant.organisation), FALSE
                FROM participants WHERE panel_id = \(panelID)
                """,
                logger: self.logger
            )
            stored.add(participantID: id, participant)
            try await self.touchPanel(
                &stored,
                fields: ["participant_added"],
                actor: actor,
                now: ParityIDs.now(),
                log: log,
                on: connection
            )
            return (id, stored)
        }
    }

    public func removeParticipant(
        id: String,
        panelID: String,
        expectedEtag: String?,
        actor: String
    ) async throws -> StoredPanel {
        try await write { connection, log in
            _ = try await self.requirePanel(id: panelID, expectedEtag: expectedEtag, on: connection)
            let removed = try await self.rows(
                "DELETE FROM participants WHERE id = \(id) AND panel_id = \(panelID) RETURNING id",
                on: connection
            ) { try $0[0].decode(String.self) }
            guard removed.count == 1 else {
                throw ParityStoreError.participantNotOnPanel(participantID: id, panelID: panelID)
            }
            var stored = try await self.requirePanel(id: panelID, expectedEtag: nil, on: connection)
            try await self.touchPanel(
                &stored,
                fields: ["participant_removed"],
                actor: actor,
                now: ParityIDs.now(),
                log: log,
                on: connection
            )
            return stored
        }
    }

    public func participants(panelID: String) async throws -> [StoredParticipant] {
        try await read { connection in
            guard try await self.storedPanel(id: panelID, on: connection) != nil else {
                throw ParityStoreError.notFound(kind: "panel", id: panelID)
            }
            return try await self.rows(
                """
                SELECT \(unescaped: Self.participantColumns) FROM participants
                WHERE panel_id = \(panelID) ORDER BY position
                """,
                on: connection,
                Self.storedParticipant
            )
        }
    }

    /// Blanks the name and organisation in the transaction, then, after the commit, vacuums the table so that
    /// the row version that still held them (PostgreSQL writes a new version; the old one stays in the table
    /// as a dead tuple) is removed from its page; VACUUM cannot run inside a transaction. A transaction that
    /// began before the erasure and is still open keeps VACUUM from removing that version until it ends (then
    /// autovacuum does). As with SQLite's backups, the write-ahead log and base backups taken before hold the
    /// old values until they are rotated out. VACUUM needs the table's owner, which the service's role is:
    /// its migrations created the table (another role's VACUUM is skipped with only a warning).
    public func eraseParticipant(id: String, actor: String) async throws -> StoredParticipant {
        let erased = try await write { connection, log in
            let erased = try await self.rows(
                """
                UPDATE participants SET display_name = '', organisation = '', erased = TRUE WHERE id = \(id)
                RETURNING \(unescaped: Self.participantColumns)
                """,
                on: connection,
                Self.storedParticipant
            )
            guard let erased = erased.first else { throw ParityStoreError.notFound(kind: "participant", id: id) }
            var panel = try await self.requirePanel(id: erased.panelID, expectedEtag: nil, on: connection)
            try await self.touchPanel(
                &panel,
                fields: ["participant_erased"],
                actor: actor,
                now: ParityIDs.now(),
                log: log,
                on: connection
            )
            return erased
        }
        try await vacuumParticipants(erasing: id)
        return erased
    }

    /// Removes dead row versions of `participants`. If it fails, the erasure is committed but the old version
    /// may remain: the caller is told to erase again rather than told it is done.
    func vacuumParticipants(erasing participantID: String) async throws {
        do {
            try await database.withConnection { connection in
                _ = try await connection.query("VACUUM participants", logger: self.logger)
            }
        } catch {
            logger.warning(
                "VACUUM after an erasure failed",
                metadata: ["participant_id": "\(participantID)", "error": "\(error)"]
            )
            throw ParityStoreError.erasureNotYetWiped(participantID: participantID)
        }
    }

    // MARK: Rows

    static let participantColumns = "id, panel_id, display_name, role, gender, organisation, erased"

    static func storedParticipant(_ row: PostgresRandomAccessRow) throws -> StoredParticipant {
        StoredParticipant(
            id: try row[0].decode(String.self),
            panelID: try row[1].decode(String.self),
            displayName: try row[2].decode(String.self),
            roleText: try row[3].decode(String.self),
            genderText: try row[4].decode(String.self),
            organisation: try row[5].decode(String.self),
            erased: try row[6].decode(Bool.self)
        )
    }
}
