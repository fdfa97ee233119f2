public import IsidAuth
import NIOCore
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

/// The gateway's gRPC side: one pass-through route per method of every routed service. Each call is
/// authenticated (API key), authorized (the method's scope), rate-limited, stripped of identity metadata the
/// client sent, given the signed identity and a deadline, and forwarded as bytes to its service's pool.
///
/// A pool for a service none of `methods` belongs to is a passthrough route: its calls are forwarded by path,
/// whatever the method, and need ``Scope/admin``, since nothing says which of them only read.
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
    /// The services routed by path, without descriptors.
    public let passthroughServices: Set<String>
    private let methodsByPath: [String: GatewayMethod]

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
        self.passthroughServices = Set(byService.keys).subtracting(self.methods.map(\.descriptor.service))
        self.methodsByPath = Dictionary(
            self.methods.map { ($0.descriptor.path, $0) },
            uniquingKeysWith: { first, _ in first }
        )
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
        guard !passthroughServices.isEmpty else { return }
        let passthroughPools = pools.filter { passthroughServices.contains($0.key) }
        router.registerPassthrough { requests, responses, context in
            guard let pool = passthroughPools[context.method.service] else {
                throw RPCError(code: .unimplemented, message: "Service \(context.method.service) is not implemented.")
            }
            try await forward(
                GatewayMethod(descriptor: context.method, scope: .admin),
                to: pool,
                requests,
                responses,
                context
            )
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

    /// The routed method at a gRPC path (`/package.Service/Method`).
    public func method(forPath path: String) -> GatewayMethod? {
        methodsByPath[path]
    }

    /// Who the caller is (nil: anonymous), before any scope or limit is checked.
    public func authenticate(_ method: MethodDescriptor, metadata: Metadata) throws(RPCError) -> Identity? {
        try keys.authenticator.authenticate(metadata, method: method)
    }

    /// Admits a call and adds the rate-limit metadata to its answer; see ``admit(_:metadata:peer:)``.
    func admit(_ method: GatewayMethod, context: ServerContext) throws(RPCError) -> Identity? {
        let (identity, limits) = try admit(method, metadata: context.requestMetadata, peer: context.peer)
        if !limits.isEmpty { context.addResponseMetadata(limits) }
        return identity
    }

    /// The caller's identity (nil for an anonymous public read) and the rate-limit metadata for the answer,
    /// once the call may go on (a token is taken); throws UNAUTHENTICATED, PERMISSION_DENIED or
    /// RESOURCE_EXHAUSTED (with RetryInfo and the limit metadata) otherwise.
    public func admit(
        _ method: GatewayMethod,
        metadata: Metadata,
        peer: String
    ) throws(RPCError) -> (identity: Identity?, limits: Metadata) {
        let identity = try authenticate(method.descriptor, metadata: metadata)
        try authorize(method, identity)
        return (identity, try limit(method.descriptor, identity: identity, peer: peer))
    }

    /// Whether `identity` (nil: anonymous) may call `method`: throws PERMISSION_DENIED for a key without the
    /// method's scope, UNAUTHENTICATED for an anonymous caller where anonymous reads are off.
    public func authorize(_ method: GatewayMethod, _ identity: Identity?) throws(RPCError) {
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
    }

    /// Takes a token from the caller's buckets for `method` (keys by name, anonymous callers by address) and
    /// returns the rate-limit metadata for the answer; throws RESOURCE_EXHAUSTED with RetryInfo when a limit
    /// is reached.
    public func limit(_ method: MethodDescriptor, identity: Identity?, peer: String) throws(RPCError) -> Metadata {
        let caller = identity?.subject ?? "anonymous:" + Self.host(ofPeer: peer)
        let decision = limiter.admit(caller: caller, service: method.service, method: method.method)
        var limitMetadata = Metadata()
        for (name, value) in decision.headers { limitMetadata.add(name, value) }
        guard decision.allowed else {
            observer.rateLimited(method)
            throw RPCError(
                code: .resourceExhausted,
                message:
                    "rate limit of \(decision.limit.map(\.description) ?? "") reached for \(caller); retry in \(decision.retryAfter) s",
                details: [Google_Rpc_RetryInfo.with { $0.retryDelay = .with { $0.seconds = decision.retryAfter } }],
                metadata: limitMetadata
            )
        }
        return limitMetadata
    }

    /// `ipv4:10.0.0.7:51234` → `ipv4:10.0.0.7`: an anonymous caller is its address, whatever its port.
    static func host(ofPeer peer: String) -> String {
        guard let colon = peer.lastIndex(of: ":") else { return peer }
        return String(peer[..<colon])
    }
}
