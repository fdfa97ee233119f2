/// Who is calling, as a server established it for one call, and what they may do.
public struct Identity: Hashable, Sendable, CustomStringConvertible {
    /// How the caller proved who they are.
    public enum Source: String, Hashable, Sendable {
        /// A bearer token this server is configured with.
        case bearerToken = "token"
        /// Identity metadata the gateway signed with the secret it shares with this server.
        case gateway
    }

    /// A stable name for the caller, safe to log (never the credential itself).
    public let subject: String
    public let scopes: Set<Scope>
    public let source: Source

    public init(subject: String, scopes: Set<Scope>, source: Source) {
        self.subject = subject
        self.scopes = scopes
        self.source = source
    }

    /// Whether the caller holds `scope`; `admin` holds every scope.
    public func holds(_ scope: Scope) -> Bool {
        scopes.contains(scope) || scopes.contains(.admin)
    }

    public var description: String { "\(subject) (\(source.rawValue))" }

    /// The identity of the call whose handler is running, bound by ``AuthorizationInterceptor``; nil for
    /// an anonymous call to a public method.
    @TaskLocal public static var current: Identity?
}
