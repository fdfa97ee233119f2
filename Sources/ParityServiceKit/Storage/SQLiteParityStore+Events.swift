import GRDB
import IsidStorage

extension SQLiteParityStore {
    public func createEvent(_ event: Event, actor: String) async throws -> StoredEvent {
        let stored = try await pool.write { db -> StoredEvent in
            var (stored, registration) = ParityWrite.registering(event, actor: actor)
            stored.stamp(revision: try Self.append(registration, in: db), now: registration.time)
            try Self.insert(stored, in: db)
            return stored
        }
        notifier.publish(revision: Int64(stored.etag) ?? 0)
        return stored
    }

    public func event(id: String) async throws -> StoredEvent? {
        try await pool.read { db in try Self.storedEvent(id: id, in: db) }
    }

    public func events(matching filter: EventFilter, afterID: String?, limit: Int) async throws -> [StoredEvent] {
        let query = EventListQuery(
            filter: filter,
            afterID: afterID,
            limit: limit,
            columns: Self.eventColumns,
            placeholders: .question
        )
        return try await pool.read { db in
            var arguments = StatementArguments()
            for value in query.values {
                switch value {
                case .text(let text): _ = arguments.append(contentsOf: [text])
                case .integer(let number): _ = arguments.append(contentsOf: [number])
                }
            }
            return try Row.fetchAll(db, sql: query.sql, arguments: arguments).map(Self.storedEvent)
        }
    }

    public func modifyEvent(
        id: String,
        expectedEtag: String?,
        fields: [String],
        actor: String,
        change: @Sendable (inout Event) throws -> Void
    ) async throws -> StoredEvent {
        let (stored, head) = try await pool.write { db -> (StoredEvent, Int64) in
            var stored = try ParityWrite.require(
                try Self.storedEvent(id: id, in: db),
                kind: "event",
                id: id,
                expectedEtag: expectedEtag
            )
            let update = try ParityWrite.modifying(&stored, fields: fields, actor: actor, change: change)
            let revision = try Self.append(update, in: db)
            stored.stamp(revision: revision, now: update.time)
            try Self.update(stored, in: db)
            // The date or the themes may have changed a panel's verdict.
            let panels = try String.fetchAll(db, sql: "SELECT id FROM panels WHERE event_id = ?", arguments: [id])
            let head = try Self.recordCompliance(panelIDs: panels, time: update.time, actor: actor, in: db) ?? revision
            return (stored, head)
        }
        notifier.publish(revision: head)
        return stored
    }

    public func eventsWithUnverifiedLinks(limit: Int) async throws -> [StoredEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.eventColumns) FROM events WHERE programme_link = 'unverified' ORDER BY id LIMIT ?",
                arguments: [limit]
            ).map(Self.storedEvent)
        }
    }

    public func setProgrammeLink(eventID: String, programmeID: String, status: ProgrammeLinkStatus) async throws {
        let revision = try await pool.write { db -> Int64? in
            guard var stored = try Self.storedEvent(id: eventID, in: db),
                let update = ParityWrite.linking(&stored, programmeID: programmeID, status: status)
            else { return nil }
            let revision = try Self.append(update, in: db)
            stored.stamp(revision: revision, now: update.time)
            try Self.update(stored, in: db)
            return revision
        }
        if let revision { notifier.publish(revision: revision) }
    }

    // MARK: Rows

    static let eventColumns = "id, etag, created, updated, document"

    static func storedEvent(_ row: Row) throws -> StoredEvent {
        try EventRow.storedEvent(id: row[0], etag: row[1], created: row[2], updated: row[3], document: row[4])
    }

    static func storedEvent(id: String, in db: Database) throws -> StoredEvent? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(eventColumns) FROM events WHERE id = ?"),
            arguments: [id]
        ).map(storedEvent)
    }

    static func insert(_ stored: StoredEvent, in db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO events (id, start_day, start_year, kind, programme_id, programme_link, example, etag,
                    created, updated, document)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: try eventArguments(stored)
        )
    }

    static func update(_ stored: StoredEvent, in db: Database) throws {
        var arguments = try eventArguments(stored)
        _ = arguments.append(contentsOf: [stored.id])
        try db.execute(
            sql: """
                UPDATE events SET id = ?, start_day = ?, start_year = ?, kind = ?, programme_id = ?,
                    programme_link = ?, example = ?, etag = ?, created = ?, updated = ?, document = ?
                WHERE id = ?
                """,
            arguments: arguments
        )
        // An example event's panels are examples too.
        if stored.event.example {
            try db.execute(sql: "UPDATE panels SET example = 1 WHERE event_id = ?", arguments: [stored.id])
        }
    }

    private static func eventArguments(_ stored: StoredEvent) throws -> StatementArguments {
        let row = try EventRow(stored)
        return [
            row.id, row.startDay, row.startYear, row.kind, row.programmeID, row.programmeLink, row.example, row.etag,
            row.created, row.updated, row.document,
        ]
    }
}
