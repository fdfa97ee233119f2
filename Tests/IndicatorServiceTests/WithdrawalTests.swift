import Foundation
import IndicatorServiceKit
import IndicatorsAPI
import IsidStorage
import IsidTestSupport
import ProtobufRuntime
import RPCCore
import Testing

/// Re-importing an extract that dropped a row: with `withdrawsMissing` the row is withdrawn, without it kept.
@Suite("Withdrawals on import", .timeLimit(.minutes(2)))
struct WithdrawalTests {
    /// The row the newer extract drops: line 3 of sdg9_observations.csv.
    static let droppedKey = ObservationKey(seriesCode: "EN_ATM_CO2", areaCode: "AGO", year: 2001)
    static let droppedValue = 5.03

    /// Imports a small extract (the catalogue and the first rows of each observations file), then the same
    /// extract without the dropped row; returns the revision between the two imports and the second summary.
    static func reimportWithoutOneRow(
        into store: any IndicatorStore,
        directory: URL,
        withdrawsMissing: Bool
    ) async throws -> (before: Int64, summary: DataImporter.Summary) {
        let full = try makeExtract(in: directory.appendingPathComponent("full"), droppingLine: nil)
        let newer = try makeExtract(in: directory.appendingPathComponent("newer"), droppingLine: 3)
        _ = try await DataImporter(dataDirectory: full).run(into: store, currentYear: 2026)
        let before = try await store.currentRevision()
        let summary = try await DataImporter(dataDirectory: newer, withdrawsMissing: withdrawsMissing).run(
            into: store,
            currentYear: 2026
        )
        return (before, summary)
    }

    /// The shipped catalogue with the header and first 20 rows of each observations file, optionally without
    /// the given line (1-based) of sdg9_observations.csv.
    static func makeExtract(in directory: URL, droppingLine dropped: Int?) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["series.csv", "economies.csv"] {
            try FileManager.default.copyItem(
                atPath: shippedDataDirectory + "/" + name,
                toPath: directory.appendingPathComponent(name).path
            )
        }
        for name in ["sdg9_observations.csv", "sdg9_other_areas.csv"] {
            let text = try String(contentsOfFile: shippedDataDirectory + "/" + name, encoding: .utf8)
            var lines = Array(text.split(separator: "\n").prefix(21))
            if name == "sdg9_observations.csv", let dropped {
                let line = lines.remove(at: dropped - 1)
                precondition(line.hasPrefix("EN_ATM_CO2,9.4.1,AGO,2001,5.03,"), "the shipped data changed")
            }
            try (lines.joined(separator: "\n") + "\n").write(
                to: directory.appendingPathComponent(name),
                atomically: true,
                encoding: .utf8
            )
        }
        return directory.path
    }

    @Test(
        "with withdrawsMissing, a row the newer files lack is removed, logged with its value and counted",
        arguments: TestDatabaseKind.allCases
    )
    func missingRowIsWithdrawn(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, directory in
            let (before, summary) = try await Self.reimportWithoutOneRow(
                into: store,
                directory: directory,
                withdrawsMissing: true
            )
            #expect(summary.withdrawn == 1)
            #expect(summary.observations.inserted == 0 && summary.observations.updated == 0)
            #expect(summary.observations.unchanged == 39 && summary.observations.revision == before + 1)
            #expect(summary.description.contains("39 unchanged, 1 withdrawn"))

            let stored = try await store.observations(seriesCode: "EN_ATM_CO2", areaCode: "AGO")
            #expect(!stored.map(\.key).contains(Self.droppedKey) && stored.count == 19)

            let changes = try await store.changes(after: before, matching: .everything, limit: 10).changes
            #expect(changes.map(\.revision) == [before + 1])
            let withdrawal = try #require(changes.first?.record)
            #expect(withdrawal.operation == .withdrawn && withdrawal.observation.key == Self.droppedKey)
            #expect(withdrawal.observation.value == Self.droppedValue && withdrawal.previousValue == Self.droppedValue)
        }
    }

    @Test(
        "without withdrawsMissing, a row the newer files lack stays and nothing is logged",
        arguments: TestDatabaseKind.allCases
    )
    func missingRowIsKeptByDefault(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, directory in
            let (before, summary) = try await Self.reimportWithoutOneRow(
                into: store,
                directory: directory,
                withdrawsMissing: false
            )
            #expect(summary.withdrawn == 0 && summary.observations.revision == before)
            let stored = try await store.observations(seriesCode: "EN_ATM_CO2", areaCode: "AGO")
            #expect(stored.map(\.key).contains(Self.droppedKey))
        }
    }

    @Test(
        "a withdrawal changes its series for if_changed_since",
        arguments: TestDatabaseKind.allCases
    )
    func withdrawalChangesItsSeries(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, directory in
            let (before, _) = try await Self.reimportWithoutOneRow(
                into: store,
                directory: directory,
                withdrawsMissing: true
            )
            let latest = try await store.latestValues(seriesCode: "EN_ATM_CO2", areaCodes: [], unchangedSince: before)
            #expect(latest.values != nil)
        }
    }

    @Test(
        "a watch resumed before the withdrawal receives it as CHANGE_KIND_WITHDRAWN with the value it had",
        arguments: TestDatabaseKind.allCases
    )
    func watchShowsTheWithdrawal(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, directory in
            let (before, _) = try await Self.reimportWithoutOneRow(
                into: store,
                directory: directory,
                withdrawsMissing: true
            )
            let handler = IndicatorHandler(store: store)
            try await withTestServer(services: [handler]) { rpc, _ in
                let client = Isid_Indicators_V1_IndicatorService.Client(rpc)
                let request = Isid_Indicators_V1_WatchChangesRequest.with {
                    $0.afterRevisionToken = "r\(before)"
                    $0.seriesCodes = ["EN_ATM_CO2"]
                }
                let messages = try await client.watchChanges(request) { responses in
                    var messages: [Isid_Indicators_V1_WatchChangesResponse] = []
                    for try await message in responses {
                        messages.append(message)
                        if messages.count == 2 { break }
                    }
                    return messages
                }
                #expect(messages.map(\.revisionToken) == ["r\(before)", "r\(before + 1)"])
                let change = try #require(messages.last?.changes.first)
                #expect(change.kind == .withdrawn && change.revision == before + 1)
                let observation = try #require(change.observation)
                #expect(observation.areaCode == "AGO" && observation.year == 2001)
                #expect(observation.value == Self.droppedValue && change.previousValue == Self.droppedValue)
            }
        }
    }
}
