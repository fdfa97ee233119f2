import Foundation
import IndicatorServiceKit
import IndicatorsAPI
import IsidAuth
import IsidTestSupport
import ProtobufRuntime
import RPCCore
import Testing

/// The shipped data, imported once for the handler tests (an import takes seconds; the tests only read, or
/// write rows for years no test reads).
private let seededStore = Task { () throws -> SQLiteIndicatorStore in
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isid-handler-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let store = try SQLiteIndicatorStore(path: directory.appendingPathComponent("indicators.sqlite").path)
    _ = try await DataImporter(dataDirectory: shippedDataDirectory).run(into: store, currentYear: 2026)
    return store
}

/// IndicatorService's handler in memory, behind the same authorization the executable configures: reads
/// public unless told otherwise, writes need `indicators:write`.
@Suite("IndicatorService handlers in memory", .serialized, .timeLimit(.minutes(2)))
struct IndicatorHandlerTests {
    static let tokens = try! BearerTokenAuthenticator(
        parsing: "writer=indicators:write indicators:read,reader=indicators:read",
        defaultScopes: []
    )

    func withClient(
        publicReads: Bool = true,
        _ body: (Isid_Indicators_V1_IndicatorService.Client) async throws -> Void
    ) async throws {
        let handler = IndicatorHandler(store: try await seededStore.value)
        let authorization = AuthorizationInterceptor(
            policy: AccessPolicy(services: [handler]),
            authenticators: [Self.tokens],
            publicReads: publicReads
        )
        try await withServer(.inProcess, services: [handler], interceptors: [authorization]) { client in
            try await body(Isid_Indicators_V1_IndicatorService.Client(client))
        }
    }

    func row(area: String, year: Int32, value: Double) -> Isid_Indicators_V1_ObservationInput {
        .with {
            $0.seriesCode = "NV_IND_SSIS"
            $0.areaCode = area
            $0.year = year
            $0.value = value
            $0.unit = "PERCENT"
            $0.nature = "E"
            $0.source = "handler test"
        }
    }

    @Test("latest values for two areas are each area's newest year, in the order asked")
    func latestValuesForTwoAreas() async throws {
        try await withClient { client in
            let latest = try await client.getLatestValues(
                .with {
                    $0.seriesCode = "NV_IND_TECH"
                    $0.areaCodes = ["DEU", "KOR"]
                }
            )
            #expect(latest.values.map(\.areaCode) == ["DEU", "KOR"])
            #expect(latest.values.allSatisfy { $0.year >= 2020 })
        }
    }

    @Test("asking again with the answer's token says unchanged and sends no values")
    func unchangedSinceToken() async throws {
        try await withClient { client in
            let first = try await client.getLatestValues(.with { $0.seriesCode = "NV_IND_MANF" })
            let again = try await client.getLatestValues(
                .with {
                    $0.seriesCode = "NV_IND_MANF"
                    $0.ifChangedSince = first.revisionToken
                }
            )
            #expect(again.unchanged && again.values.isEmpty)
        }
    }

    @Test("an unknown series is NOT_FOUND")
    func unknownSeries() async throws {
        try await withClient { client in
            let error = await #expect(throws: RPCError.self) {
                try await client.getSeries(.with { $0.code = "NO_SUCH_SERIES" })
            }
            #expect(error?.code == .notFound)
        }
    }

    @Test(
        "a write needs a token holding indicators:write",
        arguments: [
            (nil, StatusCode.unauthenticated), ("wrong", .unauthenticated), ("reader", .permissionDenied),
        ] as [(String?, StatusCode)]
    )
    func writeNeedsScope(token: String?, expected: StatusCode) async throws {
        try await withClient { client in
            let metadata: Metadata = token.map { ["authorization": .string("Bearer \($0)")] } ?? [:]
            let error = await #expect(throws: RPCError.self) {
                try await client.upsertObservations(
                    .with { $0.observations = [row(area: "DEU", year: 1990, value: 1)] },
                    metadata: metadata
                )
            }
            #expect(error?.code == expected)
        }
    }

    @Test("a writer's upsert stores the row once; sending it again changes nothing")
    func writerUpserts() async throws {
        try await withClient { client in
            let request = Isid_Indicators_V1_UpsertObservationsRequest.with {
                $0.observations = [row(area: "FRA", year: 1990, value: 4.25)]
            }
            let first = try await client.upsertObservations(request, metadata: ["authorization": "Bearer writer"])
            let second = try await client.upsertObservations(request, metadata: ["authorization": "Bearer writer"])
            #expect(first.inserted + first.updated + first.unchanged == 1)
            #expect(second.unchanged == 1 && second.revisionToken == first.revisionToken)
        }
    }

    @Test("with public reads off, an anonymous read is UNAUTHENTICATED and a reader's goes through")
    func readsCanBeClosed() async throws {
        try await withClient(publicReads: false) { client in
            let error = await #expect(throws: RPCError.self) {
                try await client.getSeries(.with { $0.code = "NV_IND_MANF" })
            }
            #expect(error?.code == .unauthenticated)
            let series = try await client.getSeries(
                .with { $0.code = "NV_IND_MANF" },
                metadata: ["authorization": "Bearer reader"]
            )
            #expect(series.code == "NV_IND_MANF")
        }
    }
}
