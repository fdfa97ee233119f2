import GRDB
import IsidStorage

extension SQLiteParityStore {
    public func addParticipant(
        _ participant: Participant,
        eventID: String,
        panelID: String,
        expectedEtag: String?,
        actor: String
    ) async throws -> (participantID: String, panel: StoredPanel) {
        let (id, stored, head) = try await pool.write { db -> (String, StoredPanel, Int64) in
            guard try Self.storedEvent(id: eventID, in: db) != nil else {
                throw ParityStoreError.notFound(kind: "event", id: eventID)
            }
            var stored = try Self.requirePanel(id: panelID, expectedEtag: expectedEtag, in: db)
            try ParityWrite.requireOnEvent(stored, eventID: eventID)
            let id = ParityIDs.make("par")
            let position =
                try Int.fetchOne(
                    db,
                    sql: "SELECT COALESCE(MAX(position), 0) + 1 FROM participants WHERE panel_id = ?",
                    arguments: [panelID]
                ) ?? 1
            try db.execute(
                sql: """
                    INSERT INTO participants (id, panel_id, position, role, gender, display_name, organisation, erased)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 0)
                    """,
                arguments: [
                    id, panelID, position, participant.role.rawValue, participant.gender.rawValue,
                    participant.displayName, participant.organisation,
                ]
            )
            stored.add(participantID: id, participant)
            let head = try Self.touchPanel(
                &stored,
                fields: ["participant_added"],
                actor: actor,
                now: ParityIDs.now(),
                in: db
            )
            return (id, stored, head)
        }
        notifier.publish(revision: head)
        return (id, stored)
    }

    public func removeParticipant(
        id: String,
        panelID: String,
        expectedEtag: String?,
        actor: String
    ) async throws -> StoredPanel {
        let (stored, head) = try await pool.write { db -> (StoredPanel, Int64) in
            _ = try Self.requirePanel(id: panelID, expectedEtag: expectedEtag, in: db)
            try db.execute(sql: "DELETE FROM participants WHERE id = ? AND panel_id = ?", arguments: [id, panelID])
            guard db.changesCount == 1 else {
                throw ParityStoreError.participantNotOnPanel(participantID: id, panelID: panelID)
            }
            var stored = try Self.requirePanel(id: panelID, expectedEtag: nil, in: db)
            let head = try Self.touchPanel(
                &stored,
                fields: ["participant_removed"],
                actor: actor,
                now: ParityIDs.now(),
                in: db
            )
            return (stored, head)
        }
        notifier.publish(revision: head)
        return stored
    }

    public func participants(panelID: String) async throws -> [StoredParticipant] {
        try await pool.read { db in
            guard try Self.storedPanel(id: panelID, in: db) != nil else {
                throw ParityStoreError.notFound(kind: "panel", id: panelID)
            }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT id, panel_id, display_name, role, gender, organisation, erased FROM participants
                    WHERE panel_id = ? ORDER BY position
                    """,
                arguments: [panelID]
            ).map(Self.storedParticipant)
        }
    }

    public func eraseParticipant(id: String, actor: String) async throws -> StoredParticipant {
        let (erased, head) = try await pool.write { db -> (StoredParticipant, Int64) in
            try db.execute(
                sql: "UPDATE participants SET display_name = '', organisation = '', erased = 1 WHERE id = ?",
                arguments: [id]
            )
            guard db.changesCount == 1,
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, panel_id, display_name, role, gender, organisation, erased FROM participants
                        WHERE id = ?
                        """,
                    arguments: [id]
                )
            else { throw ParityStoreError.notFound(kind: "participant", id: id) }
            let erased = Self.storedParticipant(row)
            var panel = try Self.requirePanel(id: erased.panelID, expectedEtag: nil, in: db)
            let head = try Self.touchPanel(
                &panel,
                fields: ["participant_erased"],
                actor: actor,
                now: ParityIDs.now(),
                in: db
            )
            return (erased, head)
        }
        notifier.publish(revision: head)
        try await wipeWriteAheadLog(participantID: id)
        return erased
    }

    /// Copies every committed page into the database file and empties the write-ahead log, whose older frames
    /// still hold the pages as they were before the erasure. A reader holding an old snapshot blocks this for
    /// a moment (the busy timeout waits, then this retries); if it stays blocked, the caller is told to erase
    /// again rather than told it is done.
    func wipeWriteAheadLog(participantID: String) async throws {
        for attempt in 1...20 {
            do {
                try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
                return
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                if attempt == 20 { throw ParityStoreError.erasureNotYetWiped(participantID: participantID) }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    static func storedParticipant(_ row: Row) -> StoredParticipant {
        StoredParticipant(
            id: row[0],
            panelID: row[1],
            displayName: row[2],
            roleText: row[3],
            genderText: row[4],
            organisation: row[5],
            erased: row[6]
        )
    }
}
