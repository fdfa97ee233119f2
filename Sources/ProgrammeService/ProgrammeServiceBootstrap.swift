import Foundation
import Logging
import ProgrammeServiceKit

/// Opens the database, seeding it with the shipped IATI activities the first time.
enum ProgrammeServiceBootstrap {
    static func openSeeded(
        database: String,
        seedFile: String,
        countries: CountryDirectory,
        logger: Logger
    ) async throws -> SQLiteProgrammeStore {
        let store = try SQLiteProgrammeStore(path: database)
        guard try await store.isEmpty(), !seedFile.isEmpty else { return store }
        guard let data = FileManager.default.contents(atPath: seedFile) else {
            throw ValidationErrorText("cannot read the seed file \(seedFile)")
        }
        let read = try IATIReader.read(data, file: seedFile, countries: countries)
        let outcome = try await store.importActivities(read.programmes, actor: "")
        logger.info(
            "Seeded the database",
            metadata: [
                "file": "\(seedFile)", "activities": "\(read.programmes.count)", "created": "\(outcome.created)",
                "warnings": "\(read.warnings.count)",
            ]
        )
        return store
    }
}

/// An error whose description is its text.
struct ValidationErrorText: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
