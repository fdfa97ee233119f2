public import ArgumentParser
public import IsidAuth

/// How a server establishes who is calling: the options every Isid service takes, flags first, then
/// `ISID_*` environment variables.
public struct AuthOptions: ParsableArguments, Sendable {
    @Option(
        help: """
            Bearer tokens as token=scope[ scope],...; each is kept only as its SHA-256 digest \
            (env ISID_API_TOKENS). Scopes: \(Scope.all.map(\.name).joined(separator: ", ")).
            """
    )
    public var apiTokens: String = environment("ISID_API_TOKENS") ?? ""

    @Option(
        help: """
            Secret shared with the gateway, at least 32 bytes: calls carrying identity metadata it signed are \
            served as that identity (env ISID_IDENTITY_SECRET). Unset: such metadata is ignored.
            """
    )
    public var identitySecret: String = environment("ISID_IDENTITY_SECRET") ?? ""

    @Option(
        help: """
            Serve methods that need only a read scope to anonymous callers too: true or false \
            (env ISID_PUBLIC_READS; each service documents its default).
            """
    )
    public var publicReads: Bool?

    public init() {}

    public mutating func validate() throws {
        do {
            _ = try makeAuthenticators(defaultTokenScopes: [])
        } catch {
            throw ValidationError("\(error)")
        }
        if publicReads == nil, let text = environment("ISID_PUBLIC_READS"), Self.parseBool(text) == nil {
            throw ValidationError("ISID_PUBLIC_READS must be true or false, got \"\(text)\".")
        }
    }

    /// The authenticators the options configure: the gateway's signature first, then bearer tokens. A token
    /// listed without scopes gets `defaultTokenScopes`.
    public func makeAuthenticators(defaultTokenScopes: Set<Scope>) throws -> [any Authenticator] {
        var authenticators: [any Authenticator] = []
        if !identitySecret.isEmpty {
            authenticators.append(try GatewayIdentityAuthenticator(secret: identitySecret))
        }
        let tokens = try BearerTokenAuthenticator(parsing: apiTokens, defaultScopes: defaultTokenScopes)
        if !tokens.isEmpty { authenticators.append(tokens) }
        return authenticators
    }

    /// Whether read methods are open to anonymous callers: the flag, else ISID_PUBLIC_READS, else the
    /// service's default.
    public func publicReads(default defaultValue: Bool) -> Bool {
        publicReads ?? environment("ISID_PUBLIC_READS").flatMap(Self.parseBool) ?? defaultValue
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: return nil
        }
    }
}
