import IndicatorServiceKit
import IsidStorage
import Logging

/// Opens the store and seeds it on first start.
enum IndicatorServiceBootstrap {
    static func openSeeded(database: String, dataDirectory: String, logger: Logger) async throws -> SQLiteIndicatorStore
    {
        let store = try SQLiteIndicatorStore(path: database)
        if try await store.isEmpty() {
            logger.info("Empty database: importing the shipped data", metadata: ["data_dir": "\(dataDirectory)"])
            let summary = try await DataImporter(dataDirectory: dataDirectory).run(
                into: store,
                currentYear: CalendarYear.current
            )
            logger.info("Imported", metadata: ["summary": "\(summary)"])
        }
        return store
    }
}
