import ArgumentParser
import IndicatorServiceKit
import IndicatorsAPI
import IsidAuth
import IsidStorage
import Logging
import ServerSupport
import ServiceStorage

extension IndicatorServiceCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve over gRPC (the default). Seeds an empty database from --data-dir first."
        )

        @OptionGroup var server: ServerOptions
        @OptionGroup var storage: StorageOptions
        /// Writes need `indicators:write`; reads are public unless ISID_PUBLIC_READS=false, since the data is
        /// the UN's public statistics. A token listed without scopes may read and write.
        @OptionGroup var auth: AuthOptions
        @OptionGroup var responseCache: ResponseCacheOptions

        @Option(
            help: "Default aggregation of the SDG-9 composite: arithmetic or geometric (env ISID_INDEX_AGGREGATION)."
        )
        var indexAggregation: String = environment("ISID_INDEX_AGGREGATION") ?? "arithmetic"

        mutating func validate() throws {
            guard SDG9IndexMethod.Aggregation(rawValue: indexAggregation) != nil else {
                throw ValidationError("--index-aggregation must be arithmetic or geometric.")
            }
        }

        func run() async throws {
            let runner = ServerRunner(name: "indicator-service", options: server)
            runner.bootstrapLogging()
            let logger = runner.makeLogger()
            let opened = try await IndicatorServiceBootstrap.openSeeded(
                try storage.location(),
                dataDirectory: storage.dataDir,
                logger: logger,
                metrics: runner.metrics
            )
            let handler = IndicatorHandler(
                store: opened.store,
                defaultAggregation: SDG9IndexMethod.Aggregation(rawValue: indexAggregation) ?? .arithmetic
            )
            let authorization = ServerAuthorization(
                authenticators: try auth.makeAuthenticators(defaultTokenScopes: [.indicatorsRead, .indicatorsWrite]),
                publicReads: auth.publicReads(default: true)
            )
            // Observations change only with the change log, on either database, so their reads are answered
            // again as the same bytes until the next commit.
            let store = opened.store
            let cache = responseCache.interceptor(
                methods: IndicatorHandler.observationReads,
                metrics: runner.metrics,
                version: { try await store.dataVersion() }
            )
            try await runner.run(
                services: [handler],
                descriptorFiles: IndicatorsAPIDescriptors.files,
                authorization: authorization,
                interceptors: cache.map { [$0] } ?? [],
                backgroundServices: opened.services,
                onGracefulShutdown: { opened.notifier.shutDown() }
            )
        }
    }
}
