import ArgumentParser
import GatewayAPI
import GatewayAggregation
import GatewayKit
import IndicatorsAPI
import IsidAuth
import Logging
import NIOCore
import ParityAPI
import ProgrammesAPI
import RPCCore
import RPCHTTP2
import RPCObservability
import RPCStandardServices
import ServerSupport
import ServiceLifecycle
import StandardProtos

extension GatewayCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve as the gateway (the default): gRPC calls routed to the services' pools."
        )

        @OptionGroup var server: ServerOptions

        // Each setting below comes from the flag, else its environment variable, else the --config file (the
        // flag's name with "_" for "-"), else its default; GatewaySettings resolves and checks them.

        @Option(
            help: """
                A JSON file of settings named like these flags (routes, keys_file, rate_limits, ...); flags and \
                environment variables override it (env ISID_CONFIG).
                """
        )
        var config: String?

        @Option(
            name: .customLong("route"),
            help: """
                SERVICE=ENDPOINTS: where a gRPC service's calls go (repeatable). ENDPOINTS is host:port, a \
                comma-separated list, or dns:///NAME:PORT for every address of a name (env ISID_ROUTES, routes \
                separated by ";").
                """
        )
        var routes: [String] = []

        @Option(
            name: .customLong("passthrough-route"),
            help: """
                SERVICE=ENDPOINTS for a gRPC service that is not one of Isid's (repeatable): its calls are \
                forwarded by path as bytes, with no JSON, no revalidation and not listed by reflection, and need a \
                key with the admin scope, since the gateway cannot tell its reads from its writes (env \
                ISID_PASSTHROUGH_ROUTES, routes separated by ";").
                """
        )
        var passthroughRoutes: [String] = []

        @Option(help: "The keys file: API key names, SHA-256 digests and scopes (env ISID_KEYS_FILE).")
        var keysFile: String?

        @Option(help: "Seconds between checks of the keys file for changes; default 5 (env ISID_KEYS_RELOAD_SECONDS).")
        var keysReloadSeconds: Int?

        @Option(
            help: """
                The secret the gateway signs callers' identities with for the services, at least 32 bytes \
                (env ISID_IDENTITY_SECRET; the services need the same; never read from --config).
                """
        )
        var identitySecret: String?

        @Option(
            name: .customLong("anonymous-reads"),
            help:
                "A domain whose reads need no key, e.g. indicators (repeatable; env ISID_ANONYMOUS_READS, comma-separated)."
        )
        var anonymousReads: [String] = []

        @Option(
            name: .customLong("rate-limit"),
            help: """
                MATCH=LIMIT[,LIMIT...] per caller, e.g. '*=100/s,10000/h' or \
                'isid.indicators.v1.IndicatorService/GetLatestValues=10/s,1000/h' (repeatable; the most specific \
                match applies; env ISID_RATE_LIMITS, separated by ";").
                """
        )
        var rateLimits: [String] = []

        @Option(
            name: .customLong("cors-origin"),
            help:
                "An origin browsers may call from, or * for any; default * (repeatable; env ISID_CORS_ORIGINS, comma-separated)."
        )
        var corsOrigins: [String] = []

        @Option(
            help: "TLS certificate chain, PEM (env ISID_TLS_CERTIFICATE); with --tls-key, the port speaks TLS only."
        )
        var tlsCertificate: String?

        @Option(help: "TLS private key, PEM (env ISID_TLS_KEY).")
        var tlsKey: String?

        @Option(help: "Largest HTTP/1.1 request body, in bytes; default 4 MiB (env ISID_MAX_REQUEST_BYTES).")
        var maxRequestBytes: Int?

        @Option(
            help:
                "Deadline of a call whose caller set none, in seconds; default 30 (env ISID_DEFAULT_DEADLINE_SECONDS)."
        )
        var defaultDeadlineSeconds: Int?

        @Option(
            help: """
                How long, in seconds, a conditional GET may be answered 304 from the services' followed revisions \
                without calling them; 0 calls through every time; default 60 (env ISID_REVALIDATION_MAX_AGE_SECONDS).
                """
        )
        var revalidationMaxAgeSeconds: Int?

        @Option(
            help: """
                How long each part of a country profile (each service's answers) may take, in milliseconds, never \
                past the caller's deadline; default 2000 (env ISID_PROFILE_PART_TIMEOUT_MS).
                """
        )
        var profilePartTimeoutMs: Int?

        @Flag(
            inversion: .prefixedNo,
            help: "One JSON log line per call and per HTTP request (default on; env ISID_ACCESS_LOG=true|false)."
        )
        var accessLog: Bool?

        /// Every method of every service the gateway knows how to route.
        static var methods: [GatewayMethod] {
            (Isid_Indicators_V1_IndicatorService.Method.all + Isid_Programmes_V1_ProgrammeService.Method.all
                + Isid_Parity_V1_ParityService.Method.all)
                .compactMap(GatewayMethod.init)
        }

        func run() async throws {
            let settings = try GatewaySettings(self, services: Set(Self.methods.map(\.descriptor.service)))
            let runner = ServerRunner(name: "gateway", options: server)
            runner.bootstrapLogging()
            let logger = runner.makeLogger()
            let metrics = GatewayMetrics(registry: runner.metrics)
            let keys: APIKeyStore
            do {
                keys = try APIKeyStore(path: settings.keysFile)
            } catch {
                throw ValidationError("--keys-file (ISID_KEYS_FILE): \(error)")
            }
            var background: [any Service] = [keys.watcher(every: .seconds(settings.keysReloadSeconds), logger: logger)]
            let pools = Self.makePools(
                settings.routes + settings.passthroughRoutes,
                logger: logger,
                metrics: metrics,
                runner: runner,
                into: &background
            )
            let proxy = GatewayProxy(
                methods: Self.methods,
                pools: pools,
                keys: keys,
                signer: try GatewayIdentitySigner(secret: settings.identitySecret),
                limiter: RateLimiter(rules: settings.rateLimits),
                settings: .init(
                    anonymousReadDomains: Set(settings.anonymousReads),
                    defaultDeadline: .seconds(settings.defaultDeadlineSeconds)
                ),
                observer: .init(rateLimited: metrics.rateLimited, inFlight: metrics.inFlight)
            )
            logger.info(
                "Gateway configured",
                metadata: [
                    "routes": "\(settings.routeText.joined(separator: "; "))", "keys": "\(keys.keyCount)",
                    "rate_limits": "\(settings.rateLimitText.joined(separator: "; "))",
                    "anonymous_reads": "\(settings.anonymousReads.joined(separator: ","))",
                ]
            )
            let profile = CountryProfileService(proxy: proxy, partTimeout: .milliseconds(settings.profilePartTimeoutMs))
            let descriptorFiles =
                IndicatorsAPIDescriptors.filesWithImports + ProgrammesAPIDescriptors.filesWithImports
                + ParityAPIDescriptors.filesWithImports + GatewayAPIDescriptors.filesWithImports
            let revalidation = Self.makeRevalidation(
                pools: pools.filter { !proxy.passthroughServices.contains($0.service) },
                proxy: proxy,
                maxAge: .seconds(settings.revalidationMaxAgeSeconds)
            )
            background += revalidation?.followers.map(FollowerKeeper.init) ?? []
            let profileService = Isid_Gateway_V1_CountryProfileService.Method.getCountryProfile.service
            let http1Settings = HTTP1Settings(
                maxRequestBytes: settings.maxRequestBytes,
                allowedOrigins: settings.corsOrigins,
                transcoding: try JSONTranscoding(
                    files: StandardProtosDescriptors.files + descriptorFiles,
                    services: Set(settings.routes.map(\.service) + [profileService])
                ),
                revalidation: revalidation,
                onNotModified: metrics.notModified,
                accessLog: settings.accessLog ? logger : nil
            )
            var security: (@Sendable (any Channel) throws -> Void)? = nil
            if let files = settings.tls {
                let tls: GatewayTLS
                do {
                    tls = try GatewayTLS(certificateFile: files.certificate, keyFile: files.key)
                } catch {
                    throw ValidationError("--tls-certificate/--tls-key: \(error)")
                }
                security = { channel in try tls.addHandler(to: channel) }
            }
            try await runner.run(
                services: [proxy, profile],
                descriptorFiles: descriptorFiles,
                interceptors: settings.accessLog ? [AccessLogInterceptor(logger: logger)] : [],
                backgroundServices: background,
                http1: { channel, router in
                    try GatewayHTTP1.configure(channel, router: router, settings: http1Settings)
                },
                connectionSecurity: security
            )
        }

        /// One balanced pool per route, each with the service that keeps it current.
        private static func makePools(
            _ routes: [RouteSpecification],
            logger: Logger,
            metrics: GatewayMetrics,
            runner: ServerRunner,
            into background: inout [any Service]
        ) -> [UpstreamPool] {
            let clientMetrics = GRPCClientMetrics(registry: runner.metrics)
            return routes.map { route in
                let service = route.service
                var upstreamLogger = logger
                upstreamLogger[metadataKey: "upstream"] = "\(service)"
                let eventLogger = upstreamLogger
                let transport = BalancedTransport.http2(
                    target: route.target,
                    logger: upstreamLogger,
                    probe: GRPCHealthProbe.make(),
                    onEvent: { event in
                        metrics.upstream(event, service: service)
                        if case .endpoint(.ejected(let address, let length)) = event {
                            eventLogger.warning(
                                "Endpoint ejected",
                                metadata: ["endpoint": "\(address)", "for": "\(length)"]
                            )
                        }
                    }
                )
                background.append(TransportKeeper(transport: transport, service: service, metrics: metrics))
                return UpstreamPool(
                    service: service,
                    client: RPCClient(
                        transport: transport,
                        interceptors: [TraceContextClientInterceptor(), clientMetrics]
                    )
                )
            }
        }
    }
}

extension GatewayCommand.Serve {
    /// The watch each service's changes come on: the method and its responses' revision token field.
    static let watches: [String: RevisionFollower.Watch] = [
        Isid_Indicators_V1_IndicatorService.Method.watchChanges,
        Isid_Programmes_V1_ProgrammeService.Method.watchProgrammeChanges,
        Isid_Parity_V1_ParityService.Method.watchParityEvents,
    ].reduce(into: [:]) { watches, method in
        // Every watch response of Isid's protos has `string revision_token = 2`.
        watches[method.service] = RevisionFollower.Watch(method: method, tokenField: 2)
    }

    /// 304s without calls, when asked for and every routed service has a change stream to follow (answers
    /// join across services, so one unfollowed service leaves nothing provable).
    static func makeRevalidation(pools: [UpstreamPool], proxy: GatewayProxy, maxAge: Duration) -> Revalidation? {
        guard maxAge > .zero else { return nil }
        var followers: [RevisionFollower] = []
        for pool in pools {
            guard let watch = Self.watches[pool.service] else { return nil }
            followers.append(
                RevisionFollower(service: pool.service, watch: watch, client: pool.client, signer: proxy.signer)
            )
        }
        return Revalidation(followers: followers, maxAge: maxAge, proxy: proxy)
    }
}

/// Follows one service's change stream until the server drains.
private struct FollowerKeeper: Service {
    let follower: RevisionFollower

    func run() async throws {
        await cancelWhenGracefulShutdown { await follower.run() }
    }
}

/// Keeps a pool current (re-resolving, health-checking) until the server has drained, and its endpoint
/// gauges up to date.
private struct TransportKeeper: Service {
    let transport: BalancedTransport
    let service: String
    let metrics: GatewayMetrics

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await transport.run() }
                group.addTask {
                    while !Task.isCancelled {
                        metrics.endpoints(of: service, transport.endpoints)
                        try? await Task.sleep(for: .seconds(5))
                    }
                }
                await group.waitForAll()
            }
        }
    }
}
