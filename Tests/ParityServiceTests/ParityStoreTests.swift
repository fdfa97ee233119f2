import Foundation
import IsidStorage
import IsidTestSupport
import Logging
import ParityServiceKit
import PostgresNIO
import Testing

@Suite("Parity store on SQLite and PostgreSQL", .timeLimit(.minutes(2)))
struct ParityStoreTests {
    @Test(
        "each write appends its parity events, compliance changes included, in one revision order",
        arguments: TestDatabaseKind.allCases
    )
    func changeLog(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            _ = try await store.publishPolicy(firstVersion, actor: "")
            let event = try await store.createEvent(exampleEvent(), actor: "writer")
            let panel = try await store.createPanel(Panel(eventID: event.id, title: "Opening"), actor: "writer")
            var etags: [String] = []
            for gender in [Gender.man, .man] {
                let added = try await store.addParticipant(
                    Participant(displayName: "Example speaker", role: .speaker, gender: gender),
                    eventID: event.id,
                    panelID: panel.id,
                    expectedEtag: nil,
                    actor: "writer"
                )
                etags.append(added.panel.etag)
            }
            let batch = try await store.changes(after: 0, matching: .everything, limit: 100)
            #expect(batch.changes.map(\.revision) == Array(1...7))
            #expect(
                batch.changes.map(\.record.kind) == [
                    .policyPublished, .eventRegistered, .panelChanged, .panelChanged, .complianceChanged,
                    .panelChanged, .complianceChanged,
                ]
            )
            // An etag is the revision of the panel's own change; the compliance change comes after it.
            #expect(event.etag == "2" && panel.etag == "3" && etags == ["4", "6"])
            #expect(try await store.panel(id: panel.id)?.etag == "6")
            // One man is exempt (smaller than two), two men do not comply.
            let compliance = batch.changes.filter { $0.record.kind == .complianceChanged }.map(\.record)
            #expect(compliance.map(\.previousVerdict) == [nil, .exempt])
            #expect(compliance.map(\.verdict) == [.exempt, .nonCompliant])
            #expect(compliance.allSatisfy { $0.policyVersion == 1 && $0.panelID == panel.id })
            #expect(batch.changes[3].record.fields == ["participant_added"])
            #expect(batch.changes[1].record.actor == "writer" && batch.changes[0].record.actor.isEmpty)
            let scoped = try await store.changes(after: 0, matching: ChangeFilter(scopes: [event.id]), limit: 100)
            #expect(scoped.changes.count == 6 && scoped.throughRevision == 7)
            #expect(try await store.currentRevision() == 7)
        }
    }

    @Test(
        "a participant cannot be added to a panel of another event, and nothing is stored",
        arguments: TestDatabaseKind.allCases
    )
    func panelOfAnotherEvent(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            let first = try await store.createEvent(exampleEvent(), actor: "")
            let second = try await store.createEvent(exampleEvent(), actor: "")
            let panel = try await store.createPanel(Panel(eventID: first.id, title: "Panel"), actor: "")
            let head = try await store.currentRevision()
            await #expect(
                throws: ParityStoreError.panelOfAnotherEvent(
                    panelID: panel.id,
                    eventID: second.id,
                    actualEventID: first.id
                )
            ) {
                _ = try await store.addParticipant(
                    Participant(displayName: "Example speaker", role: .speaker, gender: .woman),
                    eventID: second.id,
                    panelID: panel.id,
                    expectedEtag: nil,
                    actor: ""
                )
            }
            #expect(try await store.participants(panelID: panel.id).isEmpty)
            #expect(try await store.currentRevision() == head)
        }
    }

    @Test("a stale etag is refused", arguments: TestDatabaseKind.allCases)
    func staleEtag(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            let event = try await store.createEvent(exampleEvent(), actor: "")
            _ = try await store.modifyEvent(id: event.id, expectedEtag: event.etag, fields: ["title"], actor: "") {
                $0.title = "Renamed"
            }
            await #expect(throws: ParityStoreError.staleEtag(kind: "event", id: event.id, current: "2")) {
                _ = try await store.modifyEvent(id: event.id, expectedEtag: event.etag, fields: ["title"], actor: "") {
                    $0.title = "Again"
                }
            }
            let panel = try await store.createPanel(Panel(eventID: event.id, title: "Panel"), actor: "")
            _ = try await store.modifyPanel(id: panel.id, expectedEtag: panel.etag, fields: ["title"], actor: "") {
                $0.title = "Renamed"
                $0.eventID = "evt-elsewhere"
            }
            await #expect(throws: ParityStoreError.staleEtag(kind: "panel", id: panel.id, current: "4")) {
                _ = try await store.modifyPanel(id: panel.id, expectedEtag: panel.etag, fields: ["title"], actor: "") {
                    $0.title = "Again"
                }
            }
            let stored = try #require(try await store.panel(id: panel.id))
            // A panel stays with its event, and an example event's panel is an example.
            #expect(stored.panel.title == "Renamed" && stored.panel.eventID == event.id && stored.panel.example)
            await #expect(throws: ParityStoreError.notFound(kind: "event", id: "evt-none")) {
                _ = try await store.modifyEvent(id: "evt-none", expectedEtag: nil, fields: [], actor: "") { _ in }
            }
        }
    }

    @Test(
        "concurrent writes with the same etag: exactly one wins, and revisions stay gap-free",
        arguments: TestDatabaseKind.allCases
    )
    func concurrentWrites(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            let event = try await store.createEvent(exampleEvent(), actor: "")
            let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await store.modifyEvent(
                                id: event.id,
                                expectedEtag: event.etag,
                                fields: ["title"],
                                actor: ""
                            ) { $0.title = "Writer \(index)" }
                            return true
                        } catch ParityStoreError.staleEtag {
                            return false
                        }
                    }
                    group.addTask {
                        _ = try await store.createEvent(exampleEvent(), actor: "")
                        return false
                    }
                }
                return try await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.count { $0 } == 1)
            let log = try await store.changes(after: 0, matching: .everything, limit: 100).changes
            #expect(log.map(\.revision) == Array(1...10))
            #expect(log.count { $0.record.kind == .eventUpdated } == 1)
            #expect(
                try await store.event(id: event.id)?.etag
                    == "\(log.first { $0.record.kind == .eventUpdated }!.revision)"
            )
        }
    }

    @Test(
        "lists: by start day with undated last, then id; filters; pages after an id",
        arguments: TestDatabaseKind.allCases
    )
    func listing(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            var real = exampleEvent(year: 2022, month: nil)
            real.example = false
            real.kind = .conference
            let undated = try await store.createEvent(
                Event(title: "Undated", kind: .forum, unidoRole: .hosted),
                actor: ""
            )
            let late = try await store.createEvent(real, actor: "")
            // Two on the same day: in id order (ids made in the same millisecond differ in their random part).
            let sameDay = [
                try await store.createEvent(exampleEvent(year: 2021, month: 3), actor: "").id,
                try await store.createEvent(exampleEvent(year: 2021, month: 3), actor: "").id,
            ].sorted()
            var all = EventFilter()
            all.includeExamples = true
            let listed = try await store.events(matching: all, afterID: nil, limit: 10).map(\.id)
            #expect(listed == sameDay + [late.id, undated.id])
            #expect(
                try await store.events(matching: all, afterID: sameDay[0], limit: 2).map(\.id) == [sameDay[1], late.id]
            )
            #expect(try await store.events(matching: all, afterID: late.id, limit: 10).map(\.id) == [undated.id])
            #expect(
                try await store.events(matching: EventFilter(), afterID: nil, limit: 10).map(\.id) == [
                    late.id, undated.id,
                ]
            )
            var filter = all
            filter.year = 2021
            #expect(try await store.events(matching: filter, afterID: nil, limit: 10).map(\.id) == sameDay)
            filter = all
            filter.kind = .conference
            #expect(try await store.events(matching: filter, afterID: nil, limit: 10).map(\.id) == [late.id])
            filter = all
            filter.from = PartialDate(year: 2021, month: 12, day: 31)?.earliestDay
            filter.through = PartialDate(year: 2022, month: 1, day: 1)?.earliestDay
            #expect(try await store.events(matching: filter, afterID: nil, limit: 10).map(\.id) == [late.id])
        }
    }

    @Test(
        "programme links: the recheck's status is set only while the event still names the programme",
        arguments: TestDatabaseKind.allCases
    )
    func programmeLinks(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            var linked = exampleEvent()
            linked.programmeID = "prg-1"
            linked.programmeLink = .unverified
            let event = try await store.createEvent(linked, actor: "")
            #expect(try await store.eventsWithUnverifiedLinks(limit: 10).map(\.id) == [event.id])
            try await store.setProgrammeLink(eventID: event.id, programmeID: "prg-other", status: .verified)
            #expect(try await store.currentRevision() == 1)
            try await store.setProgrammeLink(eventID: event.id, programmeID: "prg-1", status: .verified)
            let stored = try #require(try await store.event(id: event.id))
            #expect(stored.event.programmeLink == .verified && stored.etag == "2")
            #expect(try await store.eventsWithUnverifiedLinks(limit: 10).isEmpty)
            try await store.setProgrammeLink(eventID: event.id, programmeID: "prg-1", status: .verified)
            let log = try await store.changes(after: 0, matching: .everything, limit: 10).changes
            #expect(log.map(\.record.fields) == [[], ["programme_link_status"]])
        }
    }

    @Test("a policy version must take effect after the latest one", arguments: TestDatabaseKind.allCases)
    func policyOrder(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            let published = try await store.publishPolicy(firstVersion, actor: "")
            #expect(published.version == 1 && published.published > 0)
            await #expect(throws: ParityStoreError.self) {
                _ = try await store.publishPolicy(firstVersion, actor: "")
            }
            #expect(try await store.policies() == [published])
        }
    }

    @Test(
        "a new policy version changes the verdicts of the events it covers, and says so",
        arguments: TestDatabaseKind.allCases
    )
    func versionChangesVerdicts(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            _ = try await store.publishPolicy(firstVersion, actor: "")
            let event = try await store.createEvent(exampleEvent(year: 2023, month: 5), actor: "")
            let panel = try await store.createPanel(Panel(eventID: event.id, title: "Panel"), actor: "")
            for gender in [Gender.woman, .man, .man] {
                _ = try await store.addParticipant(
                    Participant(displayName: "Example speaker", role: .panellist, gender: gender),
                    eventID: event.id,
                    panelID: panel.id,
                    expectedEtag: nil,
                    actor: ""
                )
            }
            let before = try await store.currentRevision()
            var stricter = firstVersion
            stricter.effectiveDate = PartialDate(year: 2022, month: 1, day: 1)!
            stricter.settings.minimumWomenSharePercent = 40
            _ = try await store.publishPolicy(stricter, actor: "")
            let after = try await store.changes(after: before, matching: .everything, limit: 10).changes.map(\.record)
            #expect(after.map(\.kind) == [.policyPublished, .complianceChanged])
            #expect(after.last?.previousVerdict == .compliant)
            #expect(after.last?.verdict == .nonCompliant)
            #expect(after.last?.policyVersion == 2)
            // Moving the event before the new version brings the first one back, through the event's write.
            _ = try await store.modifyEvent(id: event.id, expectedEtag: nil, fields: ["start_date"], actor: "") {
                $0.startDate = PartialDate(year: 2021, month: 5)
            }
            let moved = try await store.changes(after: before + 2, matching: .everything, limit: 10).changes
            #expect(moved.map(\.record.kind) == [.eventUpdated, .complianceChanged])
            #expect(moved.last?.record.verdict == .compliant && moved.last?.record.policyVersion == 1)
        }
    }

    @Test(
        "removing a participant: only one of that panel, and the counts follow",
        arguments: TestDatabaseKind.allCases
    )
    func removal(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            let event = try await store.createEvent(exampleEvent(), actor: "")
            let first = try await store.createPanel(Panel(eventID: event.id, title: "First"), actor: "")
            let second = try await store.createPanel(Panel(eventID: event.id, title: "Second"), actor: "")
            #expect(try await store.panels(eventID: event.id).map(\.id) == [first.id, second.id])
            let added = try await store.addParticipant(
                Participant(displayName: "Example speaker", role: .moderator, gender: .nonBinary),
                eventID: event.id,
                panelID: first.id,
                expectedEtag: first.etag,
                actor: ""
            )
            #expect(added.panel.counts.moderators.nonBinary == 1)
            await #expect(
                throws: ParityStoreError.participantNotOnPanel(participantID: added.participantID, panelID: second.id)
            ) {
                _ = try await store.removeParticipant(
                    id: added.participantID,
                    panelID: second.id,
                    expectedEtag: nil,
                    actor: ""
                )
            }
            let removed = try await store.removeParticipant(
                id: added.participantID,
                panelID: first.id,
                expectedEtag: added.panel.etag,
                actor: ""
            )
            #expect(removed.participantIDs.isEmpty && removed.counts == ParticipantCounts())
            #expect(try await store.participants(panelID: first.id).isEmpty)
            await #expect(throws: ParityStoreError.notFound(kind: "panel", id: "pnl-none")) {
                _ = try await store.participants(panelID: "pnl-none")
            }
        }
    }

    @Test(
        "erasure blanks the name and organisation, keeps the counts, and wipes the old row version",
        arguments: TestDatabaseKind.allCases
    )
    func erasure(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, storage in
            let name = "Placeholder Person Zqxjv"
            let organisation = "Placeholder Organisation Wqkpf"
            let event = try await store.createEvent(exampleEvent(), actor: "")
            let panel = try await store.createPanel(Panel(eventID: event.id, title: "Panel"), actor: "")
            let added = try await store.addParticipant(
                Participant(displayName: name, role: .speaker, gender: .woman, organisation: organisation),
                eventID: event.id,
                panelID: panel.id,
                expectedEtag: nil,
                actor: ""
            )
            let vacuumsBefore = try await Self.vacuums(storage, moreThan: nil)
            if case .sqlite(let directory) = storage {
                #expect(try Self.databaseBytes(in: directory).contains(Data(name.utf8)))
            }
            let erased = try await store.eraseParticipant(id: added.participantID, actor: "")
            #expect(erased.erased && erased.participant.displayName.isEmpty && erased.participant.organisation.isEmpty)
            #expect(try await store.participants(panelID: panel.id) == [erased])
            switch storage {
            case .sqlite(let directory):
                let bytes = try Self.databaseBytes(in: directory)
                #expect(!bytes.contains(Data(name.utf8)))
                #expect(!bytes.contains(Data(organisation.utf8)))
            case .postgres(let database):
                let rows = try await database.query(
                    "SELECT display_name, organisation, erased FROM participants",
                    logger: Logger(label: "test")
                )
                var stored: [String] = []
                for try await (name, organisation, erased) in rows.decode((String, String, Bool).self) {
                    stored.append("\(name)|\(organisation)|\(erased)")
                }
                #expect(stored == ["||true"])
                // The table was vacuumed after the commit, which removes the dead version holding the name.
                #expect(try await Self.vacuums(storage, moreThan: vacuumsBefore) > vacuumsBefore)
            }
            let after = try #require(try await store.panel(id: panel.id))
            #expect(after.counts.speakers.women == 1)
            #expect(after.participantIDs == [added.participantID])
            let log = try await store.changes(after: 0, matching: .everything, limit: 10).changes.map(\.record)
            #expect(log.last?.fields == ["participant_erased"])
            await #expect(throws: ParityStoreError.notFound(kind: "participant", id: "par-none")) {
                _ = try await store.eraseParticipant(id: "par-none", actor: "")
            }
        }
    }

    @Test("the shipped seed gives the same change log and etags on every database, and seeds once")
    func seedIsTheSameEverywhere() async throws {
        var shapes: [TestDatabaseKind: [String]] = [:]
        for kind in TestDatabaseKind.allCases {
            shapes[kind] = try await withParityStore(kind) { store, _ in
                let seed = try ParitySeed.read(file: shippedSeedFile)
                let seeded = try #require(try await seed.applyIfEmpty(to: store))
                #expect(seeded > 0)
                #expect(try await seed.applyIfEmpty(to: store) == nil)
                #expect(!(try await store.isEmpty()))
                return try await Self.shape(of: store)
            }
        }
        let sqlite = try #require(shapes[.sqlite])
        #expect(!sqlite.isEmpty)
        for (kind, shape) in shapes { #expect(shape == sqlite, "\(kind)") }
    }

    @Test("migrations are listed by name", arguments: TestDatabaseKind.allCases)
    func migrations(kind: TestDatabaseKind) async throws {
        try await withParityStore(kind) { store, _ in
            let applied = try await store.appliedMigrations()
            #expect(applied == ["v1: events, panels, participants, policy versions, change log"])
            #expect(try await store.isEmpty())
        }
    }

    // MARK: Helpers

    /// The change log and the etags with the random ids replaced by their order of first appearance, and the
    /// times left out: what must not depend on the database.
    private static func shape(of store: any ParityStore) async throws -> [String] {
        var ordinals: [String: Int] = ["": 0]
        func ordinal(_ id: String) -> Int {
            if let known = ordinals[id] { return known }
            ordinals[id] = ordinals.count
            return ordinals.count - 1
        }
        var shape: [String] = []
        for logged in try await store.changes(after: 0, matching: .everything, limit: 10_000).changes {
            let change = logged.record
            shape.append(
                [
                    "\(logged.revision)", change.operation.rawValue, change.kind.rawValue, "\(ordinal(change.eventID))",
                    "\(ordinal(change.panelID))", "\(change.previousVerdict?.rawValue ?? "-")",
                    "\(change.verdict?.rawValue ?? "-")", "\(change.policyVersion)",
                    change.fields.joined(separator: ","), change.actor,
                ].joined(separator: " ")
            )
        }
        var all = EventFilter()
        all.includeExamples = true
        var entities: [String] = []
        for event in try await store.events(matching: all, afterID: nil, limit: 1000) {
            let panels = try await store.panels(eventID: event.id)
            entities.append(
                "event \(ordinal(event.id)) \(event.etag) \(event.event.title) panels "
                    + panels.map { "\(ordinal($0.id)) \($0.etag) \($0.counts)" }.joined(separator: "; ")
            )
        }
        return shape + entities.sorted() + (try await store.policies()).map { "policy \($0.version) \($0.title)" }
    }

    /// How often `participants` was vacuumed by hand (PostgreSQL; 0 for SQLite). With `moreThan`, reads
    /// again for up to two seconds until the count exceeds it, in case the statistics view lags.
    private static func vacuums(_ storage: ParityTestStorage, moreThan previous: Int64?) async throws -> Int64 {
        guard case .postgres(let database) = storage else { return 0 }
        var count: Int64 = 0
        for _ in 0..<20 {
            let rows = try await database.query(
                "SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'participants'",
                logger: Logger(label: "test")
            )
            for try await value in rows.decode(Int64.self) { count = value }
            guard let previous, count <= previous else { return count }
            try await Task.sleep(for: .milliseconds(100))
        }
        return count
    }

    /// Every file SQLite keeps for the database (main file, write-ahead log, shared memory), concatenated.
    private static func databaseBytes(in directory: URL) throws -> Data {
        var bytes = Data()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            bytes.append(try Data(contentsOf: directory.appendingPathComponent(file)))
        }
        return bytes
    }
}
