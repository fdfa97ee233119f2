import Foundation
import GRDB
import IsidStorage

extension SQLiteParityStore {
    public func createEvent(_ event: Event, actor: String) async throws -> StoredEvent {
        let stored = try await pool.write { db -> StoredEvent in
            let id = ParityIDs.make("evt")
            let now = ParityIDs.now()
            let revision = try Self.append(
                ParityChange(operation: .inserted, kind: .eventRegistered, time: now, eventID: id, actor: actor),
                in: db
            )
            let stored = StoredEvent(id: id, event: event, etag: String(revision), created: now, updated: now)
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
        try await pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if !filter.includeExamples { conditions.append("example = 0") }
            if let year = filter.year {
                conditions.append("start_year = ?")
                _ = arguments.append(contentsOf: [year])
            }
            if let kind = filter.kind {
                conditions.append("kind = ?")
                _ = arguments.append(contentsOf: [kind.rawValue])
            }
            if let programmeID = filter.programmeID {
                conditions.append("programme_id = ?")
                _ = arguments.append(contentsOf: [programmeID])
            }
            if let from = filter.from {
                conditions.append("start_day >= ?")
                _ = arguments.append(contentsOf: [from.description])
            }
            if let through = filter.through {
                conditions.append("start_day <= ?")
                _ = arguments.append(contentsOf: [through.description])
            }
            // Undated events sort after every dated one.
            let sortKey = "COALESCE(start_day, '9999-99-99')"
            if let afterID {
                conditions.append("(\(sortKey), id) > (SELECT \(sortKey), id FROM events WHERE id = ?)")
                _ = arguments.append(contentsOf: [afterID])
            }
            _ = arguments.append(contentsOf: [limit])
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db,
                sql: "SELECT \(Self.eventColumns) FROM events \(whereClause) ORDER BY \(sortKey), id LIMIT ?",
                arguments: arguments
            ).map(Self.storedEvent)
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
            guard var stored = try Self.storedEvent(id: id, in: db) else {
                throw ParityStoreError.notFound(kind: "event", id: id)
            }
            if let expectedEtag, expectedEtag != stored.etag {
                throw ParityStoreError.staleEtag(kind: "event", id: id, current: stored.etag)
            }
            try change(&stored.event)
            let now = ParityIDs.now()
            let revision = try Self.append(
                ParityChange(
                    operation: .updated,
                    kind: .eventUpdated,
                    time: now,
                    eventID: id,
                    fields: fields,
                    actor: actor
                ),
                in: db
            )
            stored.etag = String(revision)
            stored.updated = now
            try Self.update(stored, in: db)
            // The date or the themes may have changed a panel's verdict.
            let panels = try String.fetchAll(db, sql: "SELECT id FROM panels WHERE event_id = ?", arguments: [id])
            let head = try Self.recordCompliance(panelIDs: panels, time: now, actor: actor, in: db) ?? revision
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
            guard var stored = try Self.storedEvent(id: eventID, in: db), stored.event.programmeID == programmeID,
                stored.event.programmeLink != status
            else { return nil }
            stored.event.programmeLink = status
            let now = ParityIDs.now()
            let revision = try Self.append(
                ParityChange(
                    operation: .updated,
                    kind: .eventUpdated,
                    time: now,
                    eventID: eventID,
                    fields: ["programme_link_status"]
                ),
                in: db
            )
            stored.etag = String(revision)
            stored.updated = now
            try Self.update(stored, in: db)
            return revision
        }
        if let revision { notifier.publish(revision: revision) }
    }

    // MARK: Rows

    static let eventColumns = "id, etag, created, updated, document"

    static func storedEvent(_ row: Row) throws -> StoredEvent {
        StoredEvent(id: row[0], event: try decode(Event.self, row[4]), etag: row[1], created: row[2], updated: row[3])
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
        let event = stored.event
        return [
            stored.id, event.startDate?.earliestDay.description, event.startDate?.year, event.kind.rawValue,
            event.programmeID, event.programmeLink.rawValue, event.example, stored.etag, stored.created,
            stored.updated, try encode(event),
        ]
    }
}
