import IsidAuth
import IsidStorage
import IsidSync
import IsidTestSupport
import ParityAPI
import ParityServiceKit
import ProtobufRuntime
import RPCCore
import RPCErrorDetails
import StandardProtos
import Testing

/// ProgrammeService as a table, or down.
final class FakeProgrammes: ProgrammeDirectory {
    let known: Set<String>
    let up = Lock(true)

    init(known: Set<String>) { self.known = known }

    func lookUp(programmeID: String) async throws -> ProgrammeLookup {
        guard up.withLock({ $0 }) else { throw ProgrammeServiceUnavailable("down for the test") }
        return known.contains(programmeID) ? .found : .notFound
    }
}

private let tokens = "writer=parity:write parity:read,reader=parity:read,personal=parity:read parity:personal"

/// A handler on a fresh store of `kind` behind the authorization interceptor, reached in process.
private func withParity(
    _ kind: TestDatabaseKind,
    programmes: FakeProgrammes = FakeProgrammes(known: ["prg-known"]),
    links: UnverifiedLinkPolicy = .refuse,
    _ body: (Isid_Parity_V1_ParityService.Client, any ParityStore) async throws -> Void
) async throws {
    try await withParityStore(kind) { store, _ in
        let handler = ParityHandler(store: store, programmes: programmes, unverifiedLinks: links)
        let interceptor = AuthorizationInterceptor(
            policy: AccessPolicy(services: [handler]),
            authenticators: [try BearerTokenAuthenticator(parsing: tokens, defaultScopes: [])]
        )
        try await withServer(.inProcess, services: [handler], interceptors: [interceptor]) { client in
            try await body(Isid_Parity_V1_ParityService.Client(client), store)
        }
    }
}

private func bearer(_ token: String) -> Metadata {
    var metadata = Metadata()
    metadata.add("authorization", "Bearer \(token)")
    return metadata
}

private func event(programmeID: String = "") -> Isid_Parity_V1_CreateEventRequest {
    .with {
        $0.event = .with {
            $0.title = "Example forum"
            $0.kind = .forum
            $0.unidoRole = .organized
            $0.organizer = "UNIDO"
            $0.startDate = .with {
                $0.year = 2021
                $0.month = 4
            }
            $0.programmeId = programmeID
        }
    }
}

/// A panel titled "Panel" on `event`, created by the writer.
private func createPanel(
    _ client: Isid_Parity_V1_ParityService.Client,
    on event: Isid_Parity_V1_Event
) async throws -> Isid_Parity_V1_Panel {
    try await client.createPanel(
        .with {
            $0.panel = .with {
                $0.eventId = event.id
                $0.title = "Panel"
            }
        },
        metadata: bearer("writer")
    )
}

/// Adds "Example speaker A", a woman speaking, to `panel`.
private func addWomanSpeaker(_ client: Isid_Parity_V1_ParityService.Client, to panel: Isid_Parity_V1_Panel) async throws
{
    _ = try await client.addParticipant(
        .with {
            $0.eventId = panel.eventId
            $0.panelId = panel.id
            $0.participant = .with {
                $0.displayName = "Example speaker A"
                $0.role = .speaker
                $0.gender = .woman
            }
        },
        metadata: bearer("writer")
    )
}

/// The status code and the BadRequest's fields of what `call` threw.
private func refusal(_ call: () async throws -> Void) async -> (StatusCode?, Set<String>) {
    do {
        try await call()
        return (nil, [])
    } catch let error as RPCError {
        let fields = error.detail(Google_Rpc_BadRequest.self)?.fieldViolations.map(\.field) ?? []
        return (error.code, Set(fields))
    } catch {
        return (nil, [])
    }
}

@Suite("ParityService handlers", .timeLimit(.minutes(1)))
struct ParityHandlerTests {
    @Test(
        "names are for parity:personal only; reads and writes have their own scopes",
        arguments: TestDatabaseKind.allCases
    )
    func scopes(kind: TestDatabaseKind) async throws {
        try await withParity(kind) { client, _ in
            let created = try await client.createEvent(event(), metadata: bearer("writer"))
            let panel = try await createPanel(client, on: created)
            try await addWomanSpeaker(client, to: panel)
            let request = Isid_Parity_V1_ListParticipantsRequest.with { $0.panelId = panel.id }
            for token in ["reader", "writer"] {
                let (code, _) = await refusal {
                    _ = try await client.listParticipants(request, metadata: bearer(token))
                }
                #expect(code == .permissionDenied)
            }
            let listed = try await client.listParticipants(request, metadata: bearer("personal"))
            #expect(listed.participants.map(\.displayName) == ["Example speaker A"])
            let (code, _) = await refusal { _ = try await client.createEvent(event(), metadata: bearer("reader")) }
            #expect(code == .permissionDenied)
        }
    }

    @Test(
        "a known programme is linked and verified; an unknown one is refused naming the field",
        arguments: TestDatabaseKind.allCases
    )
    func programmeUp(kind: TestDatabaseKind) async throws {
        try await withParity(kind) { client, _ in
            let linked = try await client.createEvent(event(programmeID: "prg-known"), metadata: bearer("writer"))
            #expect(linked.programmeLinkStatus == .verified)
            let (code, fields) = await refusal {
                _ = try await client.createEvent(event(programmeID: "prg-unknown"), metadata: bearer("writer"))
            }
            #expect(code == .failedPrecondition)
            #expect(fields == ["event.programme_id"])
        }
    }

    @Test("ProgrammeService down: UNAVAILABLE and nothing stored", arguments: TestDatabaseKind.allCases)
    func programmeDown(kind: TestDatabaseKind) async throws {
        let programmes = FakeProgrammes(known: ["prg-known"])
        programmes.up.withLock { $0 = false }
        try await withParity(kind, programmes: programmes) { client, store in
            let head = try await store.currentRevision()
            let (code, _) = await refusal {
                _ = try await client.createEvent(event(programmeID: "prg-known"), metadata: bearer("writer"))
            }
            #expect(code == .unavailable)
            #expect(try await store.currentRevision() == head)
        }
    }

    @Test(
        "ProgrammeService down with links stored unverified: checked again once it is back",
        arguments: TestDatabaseKind.allCases
    )
    func programmeRecheck(kind: TestDatabaseKind) async throws {
        let programmes = FakeProgrammes(known: ["prg-known"])
        programmes.up.withLock { $0 = false }
        try await withParity(kind, programmes: programmes, links: .store) { client, store in
            let known = try await client.createEvent(event(programmeID: "prg-known"), metadata: bearer("writer"))
            let unknown = try await client.createEvent(event(programmeID: "prg-gone"), metadata: bearer("writer"))
            #expect(known.programmeLinkStatus == .unverified && unknown.programmeLinkStatus == .unverified)
            let recheck = ProgrammeLinkRecheck(store: store, programmes: programmes)
            #expect(try await recheck.run().stillUnverified == 2)
            programmes.up.withLock { $0 = true }
            let outcome = try await recheck.run()
            #expect(outcome.verified == 1 && outcome.notFound == 1)
            #expect(try await store.event(id: known.id)?.event.programmeLink == .verified)
            #expect(try await store.event(id: unknown.id)?.event.programmeLink == .notFound)
        }
    }

    @Test(
        "WatchParityEvents: the head first, then a write's parity events as it commits",
        arguments: TestDatabaseKind.allCases
    )
    func watch(kind: TestDatabaseKind) async throws {
        try await withParity(kind) { client, store in
            let before = try await client.createEvent(event(), metadata: bearer("writer"))
            let head = try await store.currentRevision()
            let (createdID, received) = try await client.watchParityEvents(.init(), metadata: bearer("reader")) {
                responses in
                var messages = responses.makeAsyncIterator()
                let first = try await messages.next()
                #expect(first?.revisionToken == "r\(head)" && first?.events.isEmpty == true)
                let created = try await client.createEvent(event(), metadata: bearer("writer"))
                var received: [Isid_Parity_V1_ParityEvent] = []
                while received.isEmpty, let message = try await messages.next() { received += message.events }
                return (created.id, received)
            }
            #expect(received.map(\.eventId) == [createdID] && createdID != before.id)
            #expect(received.map(\.kind) == [.eventRegistered])
            #expect(received.map(\.revisionToken) == ["r\(head + 1)"])
        }
    }

    @Test("a compliance report asked again counts every write made since", arguments: TestDatabaseKind.allCases)
    func reportAskedAgain(kind: TestDatabaseKind) async throws {
        try await withParity(kind) { client, _ in
            let request = Isid_Parity_V1_GetComplianceReportRequest()
            let created = try await client.createEvent(event(), metadata: bearer("writer"))
            let panel = try await createPanel(client, on: created)
            let silent = try await client.getComplianceReport(request, metadata: bearer("reader"))
            #expect(try await client.getComplianceReport(request, metadata: bearer("reader")) == silent)
            #expect((silent.total?.events, silent.total?.panels, silent.panelsWithoutSpeakers) == (1, 0, 1))

            try await addWomanSpeaker(client, to: panel)
            let spoken = try await client.getComplianceReport(request, metadata: bearer("reader"))
            #expect((spoken.total?.panels, spoken.total?.womenSpeakers, spoken.panelsWithoutSpeakers) == (1, 1, 0))

            _ = try await client.createEvent(event(), metadata: bearer("writer"))
            let more = try await client.getComplianceReport(request, metadata: bearer("reader"))
            #expect(more.total?.events == 2)
        }
    }

    @Test("contradictory policy settings: INVALID_ARGUMENT naming both fields", arguments: TestDatabaseKind.allCases)
    func contradictorySettings(kind: TestDatabaseKind) async throws {
        try await withParity(kind) { client, store in
            let (code, fields) = await refusal {
                _ = try await client.publishPolicy(
                    .with {
                        $0.policy = .with {
                            $0.title = "contradictory"
                            $0.effectiveDate = .with {
                                $0.year = 2030
                                $0.month = 1
                                $0.day = 1
                            }
                            $0.settings = .with { $0.smallestPanelSize = 1 }
                        }
                    },
                    metadata: bearer("writer")
                )
            }
            #expect(code == .invalidArgument)
            #expect(
                fields == [
                    "policy.settings.smallest_panel_size", "policy.settings.all_female_panels_allowed_everywhere",
                ]
            )
            let policies = try await store.policies()
            #expect(policies.isEmpty)
        }
    }
}
