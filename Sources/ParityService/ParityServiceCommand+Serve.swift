import ArgumentParser
import Foundation
import IsidAuth
import IsidStorage
import Logging
import ParityAPI
import ParityServiceKit
import ProgrammesAPI
import RPCCore
import ServerSupport
import ServiceLifecycle
import ServiceStorage

extension ParityServiceCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve over gRPC (the default). Seeds an empty database from the seed file first."
        )

        @OptionGroup var server: ServerOptions
        @OptionGroup var storage: ParityStorageOptions
        /// Reads need `parity:read` (not public unless ISID_PUBLIC_READS=true), writes `parity:write`, names
        /// `parity:personal`. A token listed without scopes may read and write, never see names.
        @OptionGroup var auth: AuthOptions

        @Option(
            help: """
                ProgrammeService, to check programme links: HOST:PORT, a comma-separated list of them, or \
                dns:///NAME:PORT (env ISID_PROGRAMME_SERVICE).
                """
        )
        var programmeService: String = environment("ISID_PROGRAMME_SERVICE") ?? ""

        @Option(
            help:
                "Bearer token sent to ProgrammeService, if its reads are not public (env ISID_PROGRAMME_SERVICE_TOKEN)."
        )
        var programmeServiceToken: String = environment("ISID_PROGRAMME_SERVICE_TOKEN") ?? ""

        @Option(
            help: """
                When ProgrammeService cannot confirm a programme link: refuse (the write fails with UNAVAILABLE, \
                nothing stored) or store (stored as unverified, checked again later) (env \
                ISID_UNVERIFIED_PROGRAMME_LINKS).
                """
        )
        var unverifiedProgrammeLinks: String = environment("ISID_UNVERIFIED_PROGRAMME_LINKS") ?? "refuse"

        @Option(help: "Seconds between rechecks of unverified programme links (env ISID_PROGRAMME_RECHECK_SECONDS).")
        var programmeRecheckSeconds: Int = environment("ISID_PROGRAMME_RECHECK_SECONDS").flatMap { Int($0) } ?? 60

        @Option(
            help: """
                Seconds a programme check waits when the caller sets no earlier deadline \
                (env ISID_PROGRAMME_TIMEOUT_SECONDS).
                """
        )
        var programmeTimeoutSeconds: Int = environment("ISID_PROGRAMME_TIMEOUT_SECONDS").flatMap { Int($0) } ?? 5

        @Option(help: "Seed file for an empty database, relative to the working directory (env ISID_SEED_PARITY).")
        var seedParity: String = environment("ISID_SEED_PARITY") ?? "Data/parity/seed.json"

        mutating func validate() throws {
            if !programmeService.isEmpty, EndpointTarget(programmeService) == nil {
                throw ValidationError(
                    "--programme-service must be HOST:PORT, a comma-separated list of them, or dns:///NAME:PORT;"
                        + " got \"\(programmeService)\"."
                )
            }
            if UnverifiedLinkPolicy(rawValue: unverifiedProgrammeLinks) == nil {
                throw ValidationError(
                    "--unverified-programme-links is refuse or store, got \"\(unverifiedProgrammeLinks)\"."
                )
            }
            try requireIntegers(inEnvironment: "ISID_PROGRAMME_RECHECK_SECONDS", "ISID_PROGRAMME_TIMEOUT_SECONDS")
            guard programmeRecheckSeconds > 0, programmeTimeoutSeconds > 0 else {
                throw ValidationError("--programme-recheck-seconds and --programme-timeout-seconds must be positive.")
            }
        }

        func run() async throws {
            let runner = ServerRunner(name: "parity-service", options: server)
            runner.bootstrapLogging()
            let logger = runner.makeLogger()
            let opened = try await ParityServiceBootstrap.openSeeded(
                try storage.location(),
                seedFile: seedParity,
                logger: logger,
                metrics: runner.metrics
            )
            let store = opened.store
            var background = opened.services
            let programmes: any ProgrammeDirectory
            if let upstream = Upstream(
                programmeService,
                name: "programme-service",
                logger: logger,
                metrics: runner.metrics
            ) {
                background.append(upstream.keeper)
                var metadata: Metadata = [:]
                if !programmeServiceToken.isEmpty { metadata.add("authorization", "Bearer \(programmeServiceToken)") }
                programmes = ProgrammeServiceDirectory(
                    client: Isid_Programmes_V1_ProgrammeService.Client(upstream.client),
                    metadata: metadata,
                    timeout: .seconds(programmeTimeoutSeconds)
                )
            } else {
                logger.notice("No --programme-service: programme links cannot be checked")
                programmes = NoProgrammeDirectory()
            }
            let linkPolicy = UnverifiedLinkPolicy(rawValue: unverifiedProgrammeLinks) ?? .refuse
            let handler = ParityHandler(store: store, programmes: programmes, unverifiedLinks: linkPolicy)
            let authorization = ServerAuthorization(
                authenticators: try auth.makeAuthenticators(defaultTokenScopes: [.parityRead, .parityWrite]),
                publicReads: auth.publicReads(default: false)
            )
            if linkPolicy == .store {
                background.append(
                    ProgrammeLinkRecheckService(
                        recheck: ProgrammeLinkRecheck(store: store, programmes: programmes),
                        interval: .seconds(programmeRecheckSeconds),
                        logger: logger
                    )
                )
            }
            try await runner.run(
                services: [handler],
                descriptorFiles: ParityAPIDescriptors.filesWithImports,
                authorization: authorization,
                backgroundServices: background,
                onGracefulShutdown: { opened.notifier.shutDown() }
            )
        }
    }
}
