import IndicatorServiceKit
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Opens the store and seeds it on first start.
enum IndicatorServiceBootstrap {
    static func openSeeded(database: String, dataDirectory: String, logger: Logger) async throws -> SQLiteIndicatorStore
    {
        let store = try SQLiteIndicatorStore(path: database)
        if try await store.isEmpty() {
            logger.info("Empty database: importing the shipped data", metadata: ["data_dir": "\(dataDirectory)"])
            let summary = try await DataImporter(dataDirectory: dataDirectory).run(
                into: store,
                currentYear: currentYear
            )
            logger.info("Imported", metadata: ["summary": "\(summary)"])
        }
        return store
    }

    static var currentYear: Int {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        return Int(parts.tm_year) + 1900
    }
}
