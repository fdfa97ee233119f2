import Foundation
import Logging
import ProgrammeServiceKit

/// Opens the database, seeding it with the shipped data: the report's programmes and figures (each dataset
/// once), and the IATI activities when no programme came from elsewhere yet.
enum ProgrammeServiceBootstrap {
    static func openSeeded(
        database: String,
        seedFile: String,
        reportFiles: [String],
        countries: CountryDirectory,
        logger: Logger
    ) async throws -> SQLiteProgrammeStore {
        let store = try SQLiteProgrammeStore(path: database)
        let needsActivities = try await store.isEmpty()
        for file in reportFiles where !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationErrorText("cannot read the reported dataset \(file)")
            }
            let dataset = try ReportedDataset(json: data, countries: countries)
            if try await store.seed(dataset, actor: "") {
                logger.info(
                    "Seeded a reported dataset",
                    metadata: [
                        "file": "\(file)", "programmes": "\(dataset.programmes.count)",
                        "figures": "\(dataset.figures.count)",
                    ]
                )
            }
        }
        guard needsActivities, !seedFile.isEmpty else { return store }
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
