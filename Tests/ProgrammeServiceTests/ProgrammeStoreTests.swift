import Foundation
import IsidStorage
import IsidTestSupport
import Logging
import ProgrammeServiceKit
import Testing

/// A fresh, empty store of `kind` (a SQLite file in a temporary directory, or a PostgreSQL database of its
/// own), removed afterwards.
func withProgrammeStore<Result: Sendable>(
    _ kind: TestDatabaseKind,
    _ body: (any ProgrammeStore) async throws -> Result
) async throws -> Result {
    switch kind {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "isid-programmes-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(SQLiteProgrammeStore(path: directory.appendingPathComponent("programmes.sqlite").path))
    case .postgres:
        return try await TestPostgres.withDatabase { database in
            try await body(try await PostgresProgrammeStore.open(database, logger: Logger(label: "test")))
        }
    }
}

func sampleProgramme(_ title: String = "PCP Zambia", country: String = "ZMB") -> Programme {
    var programme = Programme(
        id: "",
        kind: .pcp,
        status: .pipeline,
        title: title,
        provenance: Provenance(kind: .entered, citation: "")
    )
    programme.countries = [CountryShare(code: country)]
    programme.sdgTargets = ["9.2"]
    programme.funding = [
        FundingLine(
            id: "f1",
            partner: Partner(name: "Green Climate Fund", type: .multilateralFund),
            amount: Money(150_000_000, Currency(code: "USD")!),
            date: nil
        )
    ]
    return programme
}

@Suite("Programme store on SQLite and PostgreSQL", .timeLimit(.minutes(1)))
struct ProgrammeStoreTests {
    @Test(
        "a programme is created under a new id, and the same request id returns it instead of a second one",
        arguments: TestDatabaseKind.allCases
    )
    func idempotentCreate(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            let first = try await store.create(sampleProgramme(), requestID: "req-1", actor: "token:ab")
            let again = try await store.create(sampleProgramme(), requestID: "req-1", actor: "token:ab")
            #expect(first.programme.id.hasPrefix("prg-") && first.programme.id.count == 30)
            #expect(again == first)
            let other = try await store.create(sampleProgramme(), requestID: "req-2", actor: "token:ab")
            #expect(other.programme.id != first.programme.id)
            #expect(try await store.programme(id: first.programme.id)?.programme.funding == sampleProgramme().funding)
        }
    }

    @Test(
        "two updates sent with the same etag: one is stored, the other refused as stale",
        arguments: TestDatabaseKind.allCases
    )
    func concurrentUpdates(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            let created = try await store.create(sampleProgramme(), requestID: nil, actor: "")
            let id = created.programme.id
            let etag = created.etag
            let results = await withTaskGroup(of: Result<StoredProgramme, any Error>.self) { group in
                for title in ["first", "second"] {
                    group.addTask {
                        do {
                            return .success(
                                try await store.modify(
                                    id: id,
                                    expectedEtag: etag,
                                    kind: .updated,
                                    fields: ["title"],
                                    reason: "",
                                    actor: ""
                                ) { $0.title = title }
                            )
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let stored = results.compactMap { try? $0.get() }
            let refused = results.compactMap { result -> (any Error)? in
                if case .failure(let error) = result { return error }
                return nil
            }
            #expect(stored.count == 1)
            #expect(refused.count == 1)
            #expect(refused.first as? ProgrammeStoreError == .staleEtag(id: id, current: stored[0].etag))
            #expect(try await store.programme(id: id)?.programme.title == stored[0].programme.title)
        }
    }

    @Test("a change that throws stores nothing", arguments: TestDatabaseKind.allCases)
    func refusedChange(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            let created = try await store.create(sampleProgramme(), requestID: nil, actor: "")
            await #expect(throws: ProgrammeStoreError.illegalTransition(from: .pipeline, to: .closed)) {
                try await store.modify(
                    id: created.programme.id,
                    expectedEtag: nil,
                    kind: .statusChanged,
                    fields: ["status"],
                    reason: "",
                    actor: ""
                ) { programme in
                    programme.title = "changed"
                    throw ProgrammeStoreError.illegalTransition(from: programme.status, to: .closed)
                }
            }
            #expect(try await store.programme(id: created.programme.id) == created)
        }
    }

    @Test("a parent must exist and may not make a cycle", arguments: TestDatabaseKind.allCases)
    func parents(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            let pcp = try await store.create(sampleProgramme(), requestID: nil, actor: "")
            var project = sampleProgramme("Agro-industrial park")
            project.kind = .project
            project.parentID = pcp.programme.id
            let child = try await store.create(project, requestID: nil, actor: "")
            await #expect(throws: ProgrammeStoreError.self) {
                try await store.modify(
                    id: pcp.programme.id,
                    expectedEtag: nil,
                    kind: .updated,
                    fields: ["parent_id"],
                    reason: "",
                    actor: ""
                ) { $0.parentID = child.programme.id }
            }
            var orphan = sampleProgramme()
            orphan.parentID = "prg-missing"
            await #expect(throws: ProgrammeStoreError.invalidParent("no programme \"prg-missing\"")) {
                try await store.create(orphan, requestID: nil, actor: "")
            }
        }
    }

    @Test(
        "lists filter by country, partner, partner type, SDG goal or target and title words, and page by id",
        arguments: TestDatabaseKind.allCases
    )
    func filters(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            let zambia = try await store.create(
                sampleProgramme("PCP Zambia", country: "ZMB"),
                requestID: nil,
                actor: ""
            )
            let peru = try await store.create(sampleProgramme("PCP Peru", country: "PER"), requestID: nil, actor: "")
            func ids(_ change: (inout ProgrammeFilter) -> Void) async throws -> [String] {
                var filter = ProgrammeFilter()
                change(&filter)
                return try await store.programmes(matching: filter, afterID: nil, limit: 10).map(\.programme.id)
            }
            #expect(try await ids { $0.country = "PER" } == [peru.programme.id])
            #expect(try await ids { $0.partner = "green climate FUND" }.count == 2)
            #expect(try await ids { $0.partnerType = .multilateralFund }.count == 2)
            #expect(try await ids { $0.partnerType = .eu }.isEmpty)
            #expect(try await ids { $0.sdg = "9" }.count == 2)
            #expect(try await ids { $0.sdg = "9.2" }.count == 2)
            #expect(try await ids { $0.titleWords = ["pcp", "zambia"] } == [zambia.programme.id])
            #expect(try await ids { $0.titleWords = ["100%"] }.isEmpty)
            let firstPage = try await store.programmes(matching: ProgrammeFilter(), afterID: nil, limit: 1)
            let secondPage = try await store.programmes(
                matching: ProgrammeFilter(),
                afterID: firstPage[0].programme.id,
                limit: 1
            )
            #expect(
                [firstPage[0].programme.id, secondPage[0].programme.id] == [zambia.programme.id, peru.programme.id]
            )
        }
    }

    @Test(
        "importing UNIDO's file creates 33 programmes; importing it again changes nothing",
        arguments: TestDatabaseKind.allCases
    )
    func idempotentImport(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            let read = try IATIReader.read(Data(contentsOf: unidoFile), file: "u.xml", countries: shippedCountries)
            let first = try await store.importActivities(read.programmes, actor: "")
            #expect(first.created == 33 && first.updated == 0 && first.unchanged == 0)
            let head = try await store.currentRevision()
            let second = try await store.importActivities(read.programmes, actor: "")
            #expect(second.created == 0 && second.updated == 0 && second.unchanged == 33)
            #expect(try await store.currentRevision() == head)
        }
    }

    @Test(
        "a programme's history lists its changes in order, each with the programme after it",
        arguments: TestDatabaseKind.allCases
    )
    func history(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            let created = try await store.create(sampleProgramme(), requestID: nil, actor: "token:1")
            _ = try await store.modify(
                id: created.programme.id,
                expectedEtag: created.etag,
                kind: .statusChanged,
                fields: ["status"],
                reason: "approved by the board",
                actor: "token:2"
            ) { $0.status = .approved }
            let changes = try await store.history(programmeID: created.programme.id, after: 0, limit: 10)
            #expect(changes.map(\.record.kind) == [.created, .statusChanged])
            #expect(changes.map(\.record.actor) == ["token:1", "token:2"])
            #expect(changes[1].record.reason == "approved by the board")
            #expect(changes[1].record.fields == ["status"])
        }
    }

    @Test(
        "exchange rates are stored exactly and the same currencies and date replace the old rate",
        arguments: TestDatabaseKind.allCases
    )
    func exchangeRates(kind: TestDatabaseKind) async throws {
        try await withProgrammeStore(kind) { store in
            let eur = Currency(code: "EUR")!
            let usd = Currency(code: "USD")!
            let date = CalendarDate(iso: "2020-01-01")!
            _ = try await store.putExchangeRates([
                try ExchangeRate(from: eur, to: usd, rate: "1.12", date: date, source: "a")
            ])
            _ = try await store.putExchangeRates([
                try ExchangeRate(from: eur, to: usd, rate: "1.1213", date: date, source: "b")
            ])
            let rates = try await store.exchangeRates()
            #expect(rates.count == 1)
            #expect(rates.first?.decimalString == "1.1213" && rates.first?.source == "b")
        }
    }
}
