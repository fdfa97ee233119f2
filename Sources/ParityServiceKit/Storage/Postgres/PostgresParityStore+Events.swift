import Foundation
import IsidStorage
import PostgresNIO

extension PostgresParityStore {
    public func createEvent(_ event: Event, actor: String) async throws -> StoredEvent {
        try await write { connection, log in
            var (stored, registration) = ParityWrite.registering(event, actor: actor)
            stored.stamp(revision: try await log.append(registration), now: registration.time)
            try await self.insert(stored, on: connection)
            return stored
        }
    }

    public func event(id: String) async throws -> StoredEvent? {
        try await database.withConnection { connection in try await self.storedEvent(id: id, on: connection) }
    }

    public func events(matching filter: EventFilter, afterID: String?, limit: Int) async throws -> [StoredEvent] {
        let list = EventListQuery(
            filter: filter,
            afterID: afterID,
            limit: limit,
            columns: Self.eventColumns,
            placeholders: .numbered
        )
        var binds = PostgresBindings()
        for value in list.values {
            switch value {
            case .text(let text): binds.append(text)
            case .integer(let number): binds.append(Int64(number))
            }
        }
        let query = PostgresQuery(unsafeSQL: list.sql, binds: binds)
        return try await database.withConnection { connection in
            try await self.rows(query, on: connection, Self.storedEvent)
        }
    }

    public func modifyEvent(
        id: String,
        expectedEtag: String?,
        fields: [String],
        actor: String,
        change: @Sendable (inout Event) throws -> Void
    ) async throws -> StoredEvent {
        try await write { connection, log in
            var stored = try ParityWrite.require(
                try await self.storedEvent(id: id, on: connection),
                kind: "event",
                id: id,
                expectedEtag: expectedEtag
            )
            let update = try ParityWrite.modifying(&stored, fields: fields, actor: actor, change: change)
            stored.stamp(revision: try await log.append(update), now: update.time)
            try await self.update(stored, on: connection)
            // The date or the themes may have changed a panel's verdict.
            let panels = try await self.rows("SELECT id FROM panels WHERE event_id = \(id)", on: connection) {
                try $0[0].decode(String.self)
            }
            try await self.recordCompliance(panelIDs: panels, time: update.time, actor: actor, log: log, on: connection)
            return stored
        }
    }

    public func eventsWithUnverifiedLinks(limit: Int) async throws -> [StoredEvent] {
        try await database.withConnection { connection in
            try await self.rows(
                """
                SELECT \(unescaped: Self.eventColumns) FROM events WHERE programme_link = 'unverified'
                ORDER BY id LIMIT \(Int64(limit))
                """,
                on: connection,
                Self.storedEvent
            )
        }
    }

    public func setProgrammeLink(eventID: String, programmeID: String, status: ProgrammeLinkStatus) async throws {
        try await write { connection, log in
            guard var stored = try await self.storedEvent(id: eventID, on: connection),
                let update = ParityWrite.linking(&stored, programmeID: programmeID, status: status)
            else { return }
            stored.stamp(revision: try await log.append(update), now: update.time)
            try await self.update(stored, on: connection)
        }
    }

    // MARK: Rows

    static let eventColumns = "id, etag, created, updated, document"

    static func storedEvent(_ row: PostgresRandomAccessRow) throws -> StoredEvent {
        try EventRow.storedEvent(
            id: try row[0].decode(String.self),
            etag: try row[1].decode(String.self),
            created: try row[2].decode(Int64.self),
            updated: try row[3].decode(Int64.self),
            document: try row[4].decode(Data.self)
        )
    }

    func storedEvent(id: String, on connection: PostgresConnection) async throws -> StoredEvent? {
        try await rows(
            "SELECT \(unescaped: Self.eventColumns) FROM events WHERE id = \(id)",
            on: connection,
            Self.storedEvent
        ).first
    }

    func insert(_ stored: StoredEvent, on connection: PostgresConnection) async throws {
        let row = try EventRow(stored)
        try await connection.query(
            """
            INSERT INTO events (id, start_day, start_year, kind, programme_id, programme_link, example, etag,
                created, updated, document)
            VALUES (\(row.id), \(row.startDay), \(row.startYear.map(Int32.init)), \(row.kind), \(row.programmeID),
                \(row.programmeLink), \(row.example), \(row.etag), \(row.created), \(row.updated), \(row.document))
            """,
            logger: logger
        )
    }

    func update(_ stored: StoredEvent, on connection: PostgresConnection) async throws {
        let row = try EventRow(stored)
        try await connection.query(
            """
            UPDATE events SET start_day = \(row.startDay), start_year = \(row.startYear.map(Int32.init)),
                kind = \(row.kind), programme_id = \(row.programmeID), programme_link = \(row.programmeLink),
                example = \(row.example), etag = \(row.etag), created = \(row.created), updated = \(row.updated),
                document = \(row.document)
            WHERE id = \(row.id)
            """,
            logger: logger
        )
        // An example event's panels are examples too.
        if row.example {
            try await connection.query("UPDATE panels SET example = TRUE WHERE event_id = \(row.id)", logger: logger)
        }
    }
}
