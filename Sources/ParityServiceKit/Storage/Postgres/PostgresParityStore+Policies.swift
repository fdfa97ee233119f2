import Foundation
import IsidStorage
import PostgresNIO

extension PostgresParityStore {
    public func policies() async throws -> [PolicyVersion] {
        try await database.withConnection { connection in try await self.policies(on: connection) }
    }

    public func publishPolicy(_ policy: PolicyVersion, actor: String) async throws -> PolicyVersion {
        try await write { connection, log in
            let published = try ParityWrite.publishing(
                policy,
                after: PolicyHistory(try await self.policies(on: connection))
            )
            try await connection.query(
                """
                INSERT INTO policies (version, effective_day, published, document)
                VALUES (\(Int32(published.version)), \(published.effectiveDate.earliestDay.description),
                    \(published.published), \(try StoredDocuments.encode(published)))
                """,
                logger: self.logger
            )
            try await log.append(ParityWrite.publication(of: published, actor: actor))
            // Panels of events on or after the new date may change verdict.
            let panels = try await self.rows(
                """
                SELECT panels.id FROM panels JOIN events ON events.id = panels.event_id
                WHERE events.start_day IS NOT NULL ORDER BY panels.id
                """,
                on: connection
            ) { try $0[0].decode(String.self) }
            try await self.recordCompliance(
                panelIDs: panels,
                time: published.published,
                actor: actor,
                log: log,
                on: connection
            )
            return published
        }
    }

    func policies(on connection: PostgresConnection) async throws -> [PolicyVersion] {
        try await rows("SELECT document FROM policies ORDER BY version", on: connection) { row in
            try StoredDocuments.decode(PolicyVersion.self, try row[0].decode(Data.self))
        }
    }

    /// Evaluates each panel as it now stands and, where the verdict differs from the one recorded, records
    /// the new one and appends a compliance change.
    func recordCompliance(
        panelIDs: [String],
        time: Int64,
        actor: String,
        log: Log,
        on connection: PostgresConnection
    ) async throws {
        guard !panelIDs.isEmpty else { return }
        let history = PolicyHistory(try await policies(on: connection))
        var events: [String: StoredEvent] = [:]
        for panelID in panelIDs {
            let recorded = try await rows(
                "SELECT event_id, verdict FROM panels WHERE id = \(panelID)",
                on: connection
            ) { row in (eventID: try row[0].decode(String.self), verdict: try row[1].decode(String.self)) }
            guard let recorded = recorded.first else { continue }
            if events[recorded.eventID] == nil {
                events[recorded.eventID] = try await storedEvent(id: recorded.eventID, on: connection)
            }
            guard let event = events[recorded.eventID] else { continue }
            let members = try await participantRows(panelID: panelID, on: connection)
            guard
                let change = ParityWrite.compliance(
                    panelID: panelID,
                    event: event,
                    previous: Verdict(rawValue: recorded.verdict),
                    counts: ParticipantCounts(members),
                    history: history,
                    time: time,
                    actor: actor
                )
            else { continue }
            try await connection.query(
                """
                UPDATE panels SET verdict = \(change.verdictText), policy_version = \(Int32(change.policyVersion))
                WHERE id = \(panelID)
                """,
                logger: logger
            )
            try await log.append(change)
        }
    }
}
