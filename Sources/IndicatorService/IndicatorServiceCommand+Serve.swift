import ArgumentParser
import IndicatorServiceKit
import IndicatorsAPI
import IsidStorage
import Logging
import ServerSupport

extension IndicatorServiceCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve over gRPC (the default). Seeds an empty database from --data-dir first."
        )

        @OptionGroup var server: ServerOptions
        @OptionGroup var storage: StorageOptions

        @Option(help: "API tokens as token=scope[ scope],...; writes need indicators.write (env ISID_API_TOKENS).")
        var apiTokens: String = environment("ISID_API_TOKENS") ?? ""

        @Option(
            help: "Default aggregation of the SDG-9 composite: arithmetic or geometric (env ISID_INDEX_AGGREGATION)."
        )
        var indexAggregation: String = environment("ISID_INDEX_AGGREGATION") ?? "arithmetic"

        mutating func validate() throws {
            guard SDG9IndexMethod.Aggregation(rawValue: indexAggregation) != nil else {
                throw ValidationError("--index-aggregation must be arithmetic or geometric.")
            }
            do { _ = try WriteAuthorizer(parsing: apiTokens) } catch {
                throw ValidationError("--api-tokens: \(error)")
            }
        }

        func run() async throws {
            let runner = ServerRunner(name: "indicator-service", options: server)
            runner.bootstrapLogging()
            let logger = runner.makeLogger()
            let store = try await IndicatorServiceBootstrap.openSeeded(
                database: storage.database,
                dataDirectory: storage.dataDir,
                logger: logger
            )
            let authorizer = try WriteAuthorizer(parsing: apiTokens)
            if !authorizer.writesEnabled {
                logger.notice("No API token with the indicators.write scope: UpsertObservations is disabled")
            }
            let handler = IndicatorHandler(
                store: store,
                authorizer: authorizer,
                defaultAggregation: SDG9IndexMethod.Aggregation(rawValue: indexAggregation) ?? .arithmetic
            )
            try await runner.run(
                services: [handler],
                descriptorFiles: IndicatorsAPIDescriptors.files,
                onGracefulShutdown: { store.notifier.shutDown() }
            )
        }
    }
}
