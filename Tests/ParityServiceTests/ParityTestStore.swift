import Foundation
import IsidStorage
import IsidTestSupport
import Logging
import ParityServiceKit

/// Where a test's store keeps its data, for the checks that look beneath the store.
enum ParityTestStorage {
    /// The directory holding the SQLite database's files.
    case sqlite(directory: URL)
    /// The PostgreSQL database of the test, through its pool.
    case postgres(PostgresPool)
}

/// A fresh, empty store of `kind` (a SQLite file in a temporary directory, or a PostgreSQL database of its
/// own), removed afterwards.
func withParityStore<Result: Sendable>(
    _ kind: TestDatabaseKind = .sqlite,
    _ body: (any ParityStore, ParityTestStorage) async throws -> Result
) async throws -> Result {
    switch kind {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "isid-parity-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteParityStore(path: directory.appendingPathComponent("parity.sqlite").path)
        return try await body(store, .sqlite(directory: directory))
    case .postgres:
        return try await TestPostgres.withDatabase { database in
            let store = try await PostgresParityStore.open(database, logger: Logger(label: "test"))
            return try await body(store, .postgres(database))
        }
    }
}

/// The repository's seed file, found from this file's location (Tests/ParityServiceTests/).
let shippedSeedFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Data/parity/seed.json").path

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
