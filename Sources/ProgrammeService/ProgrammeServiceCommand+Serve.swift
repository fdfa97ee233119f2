import ArgumentParser
import IndicatorsAPI
import IsidAuth
import IsidStorage
import Logging
import ProgrammeServiceKit
import ProgrammesAPI
import RPCCore
import ServerSupport
import ServiceLifecycle
import ServiceStorage

extension ProgrammeServiceCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve over gRPC (the default). Seeds an empty database with UNIDO's IATI activities first."
        )

        @OptionGroup var server: ServerOptions
        @OptionGroup var storage: ProgrammeStorageOptions
        /// Writes need `programmes:write`; reads are public unless ISID_PUBLIC_READS=false. A token listed without
        /// scopes may read and write.
        @OptionGroup var auth: AuthOptions

        @Option(help: "IndicatorService as HOST:PORT, for programme results (env ISID_INDICATOR_SERVICE).")
        var indicatorService: String = environment("ISID_INDICATOR_SERVICE") ?? ""

        @Option(
            help: """
                Seconds a results call waits for IndicatorService when the caller sets no deadline \
                (env ISID_RESULTS_TIMEOUT_SECONDS).
                """
        )
        var resultsTimeoutSeconds: Int = environment("ISID_RESULTS_TIMEOUT_SECONDS").flatMap { Int($0) } ?? 5

        @Option(
            help: """
                IATI activity file seeding an empty database, relative to the working directory; empty: none \
                (env ISID_SEED_IATI).
                """
        )
        var seedIati: String = environment("ISID_SEED_IATI") ?? "Data/iati/unido-XM-DAC-41123-activities-2.03.xml"

        @Option(
            help: """
                Reported dataset (a report's programmes and figures), seeded once into any database; empty: none \
                (env ISID_SEED_REPORT).
                """
        )
        var seedReport: String = environment("ISID_SEED_REPORT") ?? "Data/reports/unido-2030-agenda-2020.json"

        mutating func validate() throws {
            try requireIntegers(inEnvironment: "ISID_RESULTS_TIMEOUT_SECONDS")
            if !indicatorService.isEmpty, EndpointTarget(indicatorService) == nil {
                throw ValidationError(
                    "--indicator-service must be HOST:PORT, a comma-separated list of them, or dns:///NAME:PORT;"
                        + " got \"\(indicatorService)\"."
                )
            }
            guard resultsTimeoutSeconds > 0 else {
                throw ValidationError("--results-timeout-seconds must be positive.")
            }
        }

        func run() async throws {
            let runner = ServerRunner(name: "programme-service", options: server)
            runner.bootstrapLogging()
            let logger = runner.makeLogger()
            let countries = try CountryDirectory(economiesFile: storage.economiesFile)
            let opened = try await ProgrammeServiceBootstrap.openSeeded(
                try storage.database.location(),
                seedFile: seedIati,
                reportFiles: [seedReport],
                countries: countries,
                logger: logger,
                metrics: runner.metrics
            )
            var indicators: Isid_Indicators_V1_IndicatorService.Client?
            var background: [any Service] = opened.services
            if let upstream = Upstream(
                indicatorService,
                name: "indicator-service",
                logger: logger,
                metrics: runner.metrics
            ) {
                indicators = Isid_Indicators_V1_IndicatorService.Client(upstream.client)
                background.append(upstream.keeper)
            } else {
                logger.notice("No --indicator-service: programme results will mark every part UNAVAILABLE")
            }
            let handler = ProgrammeHandler(
                store: opened.store,
                countries: countries,
                indicators: indicators,
                resultsTimeout: .seconds(resultsTimeoutSeconds)
            )
            let authorization = ServerAuthorization(
                authenticators: try auth.makeAuthenticators(defaultTokenScopes: [.programmesRead, .programmesWrite]),
                publicReads: auth.publicReads(default: true)
            )
            try await runner.run(
                services: [handler],
                descriptorFiles: ProgrammesAPIDescriptors.filesWithImports,
                authorization: authorization,
                backgroundServices: background,
                onGracefulShutdown: { opened.notifier.shutDown() }
            )
        }
    }
}
