import Foundation
import IndicatorServiceKit
import IndicatorsAPI
import IsidStorage
import IsidTestSupport
import Logging
import ProtobufRuntime
import RPCCore
import RPCErrorDetails
import RPCHTTP2
import StandardProtos
import Testing

/// A fresh, empty store of `kind` (a SQLite file, or a PostgreSQL database of its own) and a temporary
/// directory, both removed afterwards.
func withTemporaryStore<Result: Sendable>(
    _ kind: TestDatabaseKind = .sqlite,
    _ body: (any IndicatorStore, URL) async throws -> Result
) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("isid-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    switch kind {
    case .sqlite:
        let store = try SQLiteIndicatorStore(path: directory.appendingPathComponent("indicators.sqlite").path)
        return try await body(store, directory)
    case .postgres:
        return try await TestPostgres.withDatabase { database in
            try await body(try await PostgresIndicatorStore.open(database, logger: Logger(label: "test")), directory)
        }
    }
}

/// The repository's shipped data directory, found from this file's location (Tests/IndicatorServiceTests/).
let shippedDataDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Data/sdg9").path

/// A copy of the shipped data whose observations file `edit` changes (given its lines); returns the
/// directory and the observations file's path.
func copyOfShippedData(
    in directory: URL,
    editing edit: (inout [Substring]) -> Void
) throws -> (directory: String, observations: String) {
    let data = directory.appendingPathComponent("data")
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    for name in ["series.csv", "economies.csv", "sdg9_other_areas.csv", "sdg9_observations.csv"] {
        try FileManager.default.copyItem(
            atPath: shippedDataDirectory + "/" + name,
            toPath: data.appendingPathComponent(name).path
        )
    }
    let path = data.appendingPathComponent("sdg9_observations.csv").path
    var lines = try String(contentsOfFile: path, encoding: .utf8).split(
        separator: "\n",
        omittingEmptySubsequences: false
    )
    edit(&lines)
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    return (data.path, path)
}

@Suite("Indicator store on SQLite and PostgreSQL", .timeLimit(.minutes(2)))
struct IndicatorStoreTests {
    @Test(
        "importing the shipped data twice changes nothing the second time",
        arguments: TestDatabaseKind.allCases
    )
    func importIsIdempotent(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, _ in
            let importer = DataImporter(dataDirectory: shippedDataDirectory)
            let first = try await importer.run(into: store, currentYear: 2026)
            #expect(first.series == 12 && first.areas == 298)
            #expect(first.observations.inserted == 34_787 + 7_483)
            let second = try await importer.run(into: store, currentYear: 2026)
            #expect(second.observations.inserted == 0 && second.observations.updated == 0)
            #expect(second.observations.unchanged == 34_787 + 7_483)
            #expect(second.observations.revision == first.observations.revision)
        }
    }

    @Test(
        "a malformed file is named with its line, and nothing is imported",
        arguments: TestDatabaseKind.allCases
    )
    func malformedFileNamesTheLine(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, directory in
            let (data, path) = try copyOfShippedData(in: directory) { lines in
                lines[2] = "EN_ATM_CO2,9.4.1,AGO,2001,not-a-number,TONNES_M,E,\"x\""
            }
            await #expect(
                throws: ImportError.malformed(
                    file: path,
                    line: 3,
                    reason: "value \"not-a-number\" is not a finite number"
                )
            ) {
                try await DataImporter(dataDirectory: data).run(into: store, currentYear: 2026)
            }
            #expect(try await store.isEmpty())
        }
    }

    @Test(
        "a batch with one bad row stores nothing; a good one gets revisions the change log replays in order",
        arguments: TestDatabaseKind.allCases
    )
    func upsertAllOrNothingAndChanges(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, _ in
            _ = try await DataImporter(dataDirectory: shippedDataDirectory).run(into: store, currentYear: 2026)
            let head = try await store.currentRevision()
            let good = ObservationRecord(
                seriesCode: "NV_IND_TECH",
                areaCode: "DEU",
                year: 1999,
                value: 50,
                unit: "PERCENT",
                nature: "E",
                source: "test"
            )
            var bad = good
            bad.year = 1998
            bad.value = .nan
            await #expect(throws: IndicatorError.self) { try await store.upsert([good, bad], currentYear: 2026) }
            #expect(try await store.currentRevision() == head)
            let outcome = try await store.upsert([good], currentYear: 2026)
            #expect(outcome.inserted == 1 && outcome.revision == head + 1)
            let batch = try await store.changes(after: head, matching: ChangeFilter(scopes: ["NV_IND_TECH"]), limit: 10)
            #expect(batch.changes.map(\.revision) == [head + 1] && batch.throughRevision == head + 1)
            let other = try await store.changes(after: head, matching: ChangeFilter(scopes: ["NV_IND_MANF"]), limit: 10)
            #expect(other.changes.isEmpty && other.throughRevision == head + 1)
        }
    }

    @Test(
        "the handler serves the generated client over loopback: latest values, then unchanged",
        arguments: TestDatabaseKind.allCases
    )
    func handlerOverLoopback(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, _ in
            _ = try await DataImporter(dataDirectory: shippedDataDirectory).run(into: store, currentYear: 2026)
            let handler = IndicatorHandler(store: store)
            try await withTestServer(services: [handler]) { rpc, _ in
                let client = Isid_Indicators_V1_IndicatorService.Client(rpc)
                let latest = try await client.getLatestValues(.with { $0.seriesCode = "NV_IND_MANF" })
                #expect(latest.values.first { $0.areaCode == "DEU" }?.year == 2022)
                let again = try await client.getLatestValues(
                    .with {
                        $0.seriesCode = "NV_IND_MANF"
                        $0.ifChangedSince = latest.revisionToken
                    }
                )
                #expect(again.unchanged && again.values.isEmpty)
                let error = await #expect(throws: RPCError.self) {
                    try await client.queryObservations(.with { $0.pageSize = 1001 })
                }
                #expect(error?.code == .invalidArgument)
                #expect(error?.detail(Google_Rpc_BadRequest.self)?.fieldViolations.first?.field == "page_size")
            }
        }
    }
}
