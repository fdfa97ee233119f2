import ArgumentParser
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

        @Option(
            name: .customLong("route"),
            help: """
                SERVICE=ENDPOINTS: where a gRPC service's calls go (repeatable). ENDPOINTS is host:port, a \
                comma-separated list, or dns:///NAME:PORT for every address of a name (env ISID_ROUTES, routes \
                separated by ";").
                """
        )
        var routes: [String] = environmentList("ISID_ROUTES")

        @Option(help: "The keys file: API key names, SHA-256 digests and scopes (env ISID_KEYS_FILE).")
        var keysFile: String = environment("ISID_KEYS_FILE") ?? ""

        @Option(help: "Seconds between checks of the keys file for changes.")
        var keysReloadSeconds: Int = 5

        @Option(
            help: """
                The secret the gateway signs callers' identities with for the services, at least 32 bytes \
                (env ISID_IDENTITY_SECRET; the services need the same).
                """
        )
        var identitySecret: String = environment("ISID_IDENTITY_SECRET") ?? ""

        @Option(
            name: .customLong("anonymous-reads"),
            help:
                "A domain whose reads need no key, e.g. indicators (repeatable; env ISID_ANONYMOUS_READS, comma-separated)."
        )
        var anonymousReads: [String] =
            environment("ISID_ANONYMOUS_READS").map {
                $0.split(separator: ",").map { String($0) }
            } ?? []

        @Option(
            name: .customLong("rate-limit"),
            help: """
                MATCH=LIMIT[,LIMIT...] per caller, e.g. '*=100/s,10000/h' or \
                'isid.indicators.v1.IndicatorService/GetLatestValues=10/s,1000/h' (repeatable; the most specific \
                match applies; env ISID_RATE_LIMITS, separated by ";").
                """
        )
        var rateLimits: [String] = environmentList("ISID_RATE_LIMITS")

        @Option(
            name: .customLong("cors-origin"),
            help:
                "An origin browsers may call from over gRPC-Web, or * for any (repeatable; env ISID_CORS_ORIGINS, comma-separated)."
        )
        var corsOrigins: [String] =
            environment("ISID_CORS_ORIGINS").map {
                $0.split(separator: ",").map { String($0) }
            } ?? ["*"]

        @Option(
            help: "TLS certificate chain, PEM (env ISID_TLS_CERTIFICATE); with --tls-key, the port speaks TLS only."
        )
        var tlsCertificate: String = environment("ISID_TLS_CERTIFICATE") ?? ""

        @Option(help: "TLS private key, PEM (env ISID_TLS_KEY).")
        var tlsKey: String = environment("ISID_TLS_KEY") ?? ""

        @Option(help: "Largest HTTP/1.1 request body, in bytes.")
        var maxRequestBytes: Int = 4 * 1024 * 1024

        @Option(help: "Deadline of a call whose caller set none, in seconds.")
        var defaultDeadlineSeconds: Int = environment("ISID_DEFAULT_DEADLINE_SECONDS").flatMap { Int($0) } ?? 30

        mutating func validate() throws {
            guard !routes.isEmpty else { throw ValidationError("--route: give at least one SERVICE=ENDPOINTS.") }
            let known = Set(Self.methods.map(\.descriptor.service))
            for route in routes {
                guard let specification = RouteSpecification(route) else {
                    throw ValidationError(
                        "--route \"\(route)\": not SERVICE=host:port[,host:port...] or SERVICE=dns:///NAME:PORT."
                    )
                }
                guard known.contains(specification.service) else {
                    throw ValidationError(
                        "--route \"\(route)\": unknown service; the gateway routes \(known.sorted().joined(separator: ", "))."
                    )
                }
            }
            for limit in rateLimits where RateLimitRule(limit) == nil {
                throw ValidationError("--rate-limit \"\(limit)\": not MATCH=N/s|min|h|d[,...].")
            }
            guard Array(identitySecret.utf8).count >= GatewayIdentity.minimumSecretBytes else {
                throw ValidationError(
                    "--identity-secret (ISID_IDENTITY_SECRET): at least \(GatewayIdentity.minimumSecretBytes) bytes are needed."
                )
            }
            guard tlsCertificate.isEmpty == tlsKey.isEmpty else {
                throw ValidationError(
                    "--tls-certificate and --tls-key (ISID_TLS_CERTIFICATE, ISID_TLS_KEY) go together."
                )
            }
            guard defaultDeadlineSeconds > 0 else {
                throw ValidationError("--default-deadline-seconds must be positive.")
            }
            guard keysReloadSeconds > 0 else { throw ValidationError("--keys-reload-seconds must be positive.") }
        }

        /// Every method of every service the gateway knows how to route.
        static var methods: [GatewayMethod] {
            (Isid_Indicators_V1_IndicatorService.Method.all + Isid_Programmes_V1_ProgrammeService.Method.all
                + Isid_Parity_V1_ParityService.Method.all)
                .compactMap(GatewayMethod.init)
        }

        func run() async throws {
            let runner = ServerRunner(name: "gateway", options: server)
            runner.bootstrapLogging()
            let logger = runner.makeLogger()
            let metrics = GatewayMetrics(registry: runner.metrics)
            let clientMetrics = GRPCClientMetrics(registry: runner.metrics)
            let keys: APIKeyStore
            do {
                keys = try APIKeyStore(path: keysFile.isEmpty ? nil : keysFile)
            } catch {
                throw ValidationError("--keys-file (ISID_KEYS_FILE): \(error)")
            }
            var pools: [UpstreamPool] = []
            var background: [any Service] = [keys.watcher(every: .seconds(keysReloadSeconds), logger: logger)]
            for route in routes.compactMap(RouteSpecification.init) {
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
                pools.append(
                    UpstreamPool(
                        service: service,
                        client: RPCClient(
                            transport: transport,
                            interceptors: [TraceContextClientInterceptor(), clientMetrics]
                        )
                    )
                )
                background.append(TransportKeeper(transport: transport, service: service, metrics: metrics))
            }
            let proxy = GatewayProxy(
                methods: Self.methods,
                pools: pools,
                keys: keys,
                signer: try GatewayIdentitySigner(secret: identitySecret),
                limiter: RateLimiter(rules: rateLimits.compactMap(RateLimitRule.init)),
                settings: .init(
                    anonymousReadDomains: Set(anonymousReads),
                    defaultDeadline: .seconds(defaultDeadlineSeconds)
                ),
                observer: .init(rateLimited: metrics.rateLimited, inFlight: metrics.inFlight)
            )
            logger.info(
                "Gateway configured",
                metadata: [
                    "routes": "\(routes.joined(separator: "; "))", "keys": "\(keys.keyCount)",
                    "rate_limits": "\(rateLimits.joined(separator: "; "))",
                    "anonymous_reads": "\(anonymousReads.joined(separator: ","))",
                ]
            )
            let descriptorFiles =
                IndicatorsAPIDescriptors.filesWithImports + ProgrammesAPIDescriptors.filesWithImports
                + ParityAPIDescriptors.filesWithImports
            let http1Settings = HTTP1Settings(
                maxRequestBytes: maxRequestBytes,
                allowedOrigins: corsOrigins,
                transcoding: try JSONTranscoding(
                    files: StandardProtosDescriptors.files + descriptorFiles,
                    services: Set(pools.map(\.service))
                )
            )
            var security: (@Sendable (any Channel) throws -> Void)? = nil
            if !tlsCertificate.isEmpty {
                let tls: GatewayTLS
                do {
                    tls = try GatewayTLS(certificateFile: tlsCertificate, keyFile: tlsKey)
                } catch {
                    throw ValidationError("--tls-certificate/--tls-key: \(error)")
                }
                security = { channel in try tls.addHandler(to: channel) }
            }
            try await runner.run(
                services: [proxy],
                descriptorFiles: descriptorFiles,
                backgroundServices: background,
                http1: { channel, router in
                    try GatewayHTTP1.configure(channel, router: router, settings: http1Settings)
                },
                connectionSecurity: security
            )
        }
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

/// A `;`-separated environment variable as a list.
private func environmentList(_ name: String) -> [String] {
    environment(name).map { $0.split(separator: ";").map { String($0) } } ?? []
}
