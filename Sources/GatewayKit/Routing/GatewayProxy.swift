public import IsidAuth
import NIOCore
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

/// The gateway's gRPC side: one pass-through route per method of every routed service. Each call is
/// authenticated (API key), authorized (the method's scope), rate-limited, stripped of identity metadata the
/// client sent, given the signed identity and a deadline, and forwarded as bytes to its service's pool.
public struct GatewayProxy: RPCService {
    public struct Settings: Sendable {
        /// Domains (`indicators`) whose reads anonymous callers may make.
        public var anonymousReadDomains: Set<String>
        /// The deadline of a call whose caller set none.
        public var defaultDeadline: Duration

        public init(anonymousReadDomains: Set<String> = [], defaultDeadline: Duration = .seconds(30)) {
            self.anonymousReadDomains = anonymousReadDomains
            self.defaultDeadline = defaultDeadline
        }
    }

    /// What the gateway counts beyond the server's own call metrics.
    public struct Observer: Sendable {
        public var rateLimited: @Sendable (_ method: MethodDescriptor) -> Void
        /// Calls admitted and on their way upstream: +1 when one starts, -1 when it ends.
        public var inFlight: @Sendable (_ change: Int) -> Void

        public init(
            rateLimited: @escaping @Sendable (MethodDescriptor) -> Void = { _ in },
            inFlight: @escaping @Sendable (Int) -> Void = { _ in }
        ) {
            self.rateLimited = rateLimited
            self.inFlight = inFlight
        }
    }

    public let methods: [GatewayMethod]
    public let pools: [String: UpstreamPool]
    public let keys: APIKeyStore
    public let signer: GatewayIdentitySigner
    public let limiter: RateLimiter
    public let settings: Settings
    public let observer: Observer

    public init(
        methods: [GatewayMethod],
        pools: [UpstreamPool],
        keys: APIKeyStore,
        signer: GatewayIdentitySigner,
        limiter: RateLimiter,
        settings: Settings = Settings(),
        observer: Observer = Observer()
    ) {
        let byService = Dictionary(pools.map { ($0.service, $0) }, uniquingKeysWith: { first, _ in first })
        self.pools = byService
        self.methods = methods.filter { byService[$0.descriptor.service] != nil }
        self.keys = keys
        self.signer = signer
        self.limiter = limiter
        self.settings = settings
        self.observer = observer
    }

    public func registerMethods(with router: inout RPCRouter) {
        for method in methods {
            guard let pool = pools[method.descriptor.service] else { continue }
            router.registerPassthrough(method.descriptor) { requests, responses, context in
                try await forward(method, to: pool, requests, responses, context)
            }
        }
    }

    private func forward(
        _ method: GatewayMethod,
        to pool: UpstreamPool,
        _ requests: PassthroughRequestStream,
        _ responses: ResponseWriter<PassthroughMessage>,
        _ context: ServerContext
    ) async throws {
        let identity = try admit(method, context: context)
        var metadata = context.requestMetadata
        metadata.remove("authorization")
        for key in GatewayIdentity.keys { metadata.remove(key) }
        if let identity { signer.sign(identity, method: method.descriptor, into: &metadata) }
        let timeout: Duration? = context.deadline == nil ? settings.defaultDeadline : nil
        observer.inFlight(1)
        defer { observer.inFlight(-1) }
        try await pool.client.forward(
            requests,
            to: responses,
            context: context,
            method: method.descriptor,
            metadata: metadata,
            options: CallOptions(timeout: timeout)
        )
    }

    /// The caller's identity (nil for an anonymous public read), once the call may go on; throws
    /// UNAUTHENTICATED, PERMISSION_DENIED or RESOURCE_EXHAUSTED (with RetryInfo) otherwise.
    func admit(_ method: GatewayMethod, context: ServerContext) throws(RPCError) -> Identity? {
        let identity = try keys.authenticator.authenticate(context.requestMetadata, method: method.descriptor)
        if let identity {
            guard identity.holds(method.scope) else {
                throw RPCError(
                    code: .permissionDenied,
                    message:
                        "the key \"\(identity.subject)\" lacks the scope \(method.scope) that \(method.descriptor) needs"
                )
            }
        } else if !method.isPublicRead(domains: settings.anonymousReadDomains) {
            throw RPCError(
                code: .unauthenticated,
                message: "\(method.descriptor) needs an API key with \(method.scope): authorization: Bearer <key>"
            )
        }
        let caller = identity?.subject ?? "anonymous:" + Self.host(ofPeer: context.peer)
        let decision = limiter.admit(
            caller: caller,
            service: method.descriptor.service,
            method: method.descriptor.method
        )
        var limitMetadata = Metadata()
        for (name, value) in decision.headers { limitMetadata.add(name, value) }
        guard decision.allowed else {
            observer.rateLimited(method.descriptor)
            throw RPCError(
                code: .resourceExhausted,
                message:
                    "rate limit of \(decision.limit.map(\.description) ?? "") reached for \(caller); retry in \(decision.retryAfter) s",
                details: [Google_Rpc_RetryInfo.with { $0.retryDelay = .with { $0.seconds = decision.retryAfter } }],
                metadata: limitMetadata
            )
        }
        if !limitMetadata.isEmpty { context.addResponseMetadata(limitMetadata) }
        return identity
    }

    /// `ipv4:10.0.0.7:51234` → `ipv4:10.0.0.7`: an anonymous caller is its address, whatever its port.
    static func host(ofPeer peer: String) -> String {
        guard let colon = peer.lastIndex(of: ":") else { return peer }
        return String(peer[..<colon])
    }
}
