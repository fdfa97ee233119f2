import Foundation
import IsidStorage
import ParityServiceKit
import Testing

/// A fresh database file in a temporary directory, removed afterwards; the body also gets the directory.
func withParityStore<Result>(
    _ body: (SQLiteParityStore, URL) async throws -> Result
) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isid-parity-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let store = try SQLiteParityStore(path: directory.appendingPathComponent("parity.sqlite").path)
    return try await body(store, directory)
}

let firstVersion = PolicyVersion(
    version: 0,
    effectiveDate: PartialDate(year: 2020, month: 7, day: 10)!,
    title: "test policy",
    settings: PolicySettings()
)

func exampleEvent(year: Int = 2021, month: Int? = 3, themes: [Theme] = []) -> Event {
    Event(
        title: "Example forum",
        kind: .forum,
        unidoRole: .organized,
        themes: themes,
        startDate: PartialDate(year: year, month: month),
        example: true
    )
}

@Suite("SQLite parity store")
struct SQLiteParityStoreTests {
    @Test("each write appends its parity events, compliance changes included, in one revision order")
    func changeLog() async throws {
        try await withParityStore { store, _ in
            _ = try await store.publishPolicy(firstVersion, actor: "")
            let event = try await store.createEvent(exampleEvent(), actor: "writer")
            let panel = try await store.createPanel(Panel(eventID: event.id, title: "Opening"), actor: "writer")
            for gender in [Gender.man, .man] {
                _ = try await store.addParticipant(
                    Participant(displayName: "Example speaker", role: .speaker, gender: gender),
                    eventID: event.id,
                    panelID: panel.id,
                    expectedEtag: nil,
                    actor: "writer"
                )
            }
            let batch = try await store.changes(after: 0, matching: .everything, limit: 100)
            #expect(
                batch.changes.map(\.record.kind) == [
                    .policyPublished, .eventRegistered, .panelChanged, .panelChanged, .complianceChanged,
                    .panelChanged, .complianceChanged,
                ]
            )
            // One man is exempt (smaller than two), two men do not comply.
            let compliance = batch.changes.filter { $0.record.kind == .complianceChanged }.map(\.record)
            #expect(compliance.map(\.previousVerdict) == [nil, .exempt])
            #expect(compliance.map(\.verdict) == [.exempt, .nonCompliant])
            #expect(compliance.allSatisfy { $0.policyVersion == 1 })
        }
    }

    @Test("a participant cannot be added to a panel of another event, and nothing is stored")
    func panelOfAnotherEvent() async throws {
        try await withParityStore { store, _ in
            let first = try await store.createEvent(exampleEvent(), actor: "")
            let second = try await store.createEvent(exampleEvent(), actor: "")
            let panel = try await store.createPanel(Panel(eventID: first.id, title: "Panel"), actor: "")
            let head = try await store.currentRevision()
            await #expect(throws: ParityStoreError.self) {
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

    @Test("a stale etag is refused")
    func staleEtag() async throws {
        try await withParityStore { store, _ in
            let event = try await store.createEvent(exampleEvent(), actor: "")
            _ = try await store.modifyEvent(id: event.id, expectedEtag: event.etag, fields: ["title"], actor: "") {
                $0.title = "Renamed"
            }
            await #expect(throws: ParityStoreError.staleEtag(kind: "event", id: event.id, current: "2")) {
                _ = try await store.modifyEvent(id: event.id, expectedEtag: event.etag, fields: ["title"], actor: "") {
                    $0.title = "Again"
                }
            }
        }
    }

    @Test("a policy version must take effect after the latest one")
    func policyOrder() async throws {
        try await withParityStore { store, _ in
            _ = try await store.publishPolicy(firstVersion, actor: "")
            await #expect(throws: ParityStoreError.self) {
                _ = try await store.publishPolicy(firstVersion, actor: "")
            }
            #expect(try await store.policies().count == 1)
        }
    }

    @Test("a new policy version changes the verdicts of the events it covers, and says so")
    func versionChangesVerdicts() async throws {
        try await withParityStore { store, _ in
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
        }
    }

    @Test("erasure removes the name and organisation from every database file and keeps the counts")
    func erasure() async throws {
        try await withParityStore { store, directory in
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
            #expect(try databaseBytes(in: directory).contains(Data(name.utf8)))
            let erased = try await store.eraseParticipant(id: added.participantID, actor: "")
            #expect(erased.erased && erased.participant.displayName.isEmpty && erased.participant.organisation.isEmpty)
            let bytes = try databaseBytes(in: directory)
            #expect(!bytes.contains(Data(name.utf8)))
            #expect(!bytes.contains(Data(organisation.utf8)))
            let after = try #require(try await store.panel(id: panel.id))
            #expect(after.counts.speakers.women == 1)
            #expect(after.participantIDs == [added.participantID])
        }
    }

    /// Every file SQLite keeps for the database (main file, write-ahead log, shared memory), concatenated.
    private func databaseBytes(in directory: URL) throws -> Data {
        var bytes = Data()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
            bytes.append(try Data(contentsOf: directory.appendingPathComponent(file)))
        }
        return bytes
    }
}
