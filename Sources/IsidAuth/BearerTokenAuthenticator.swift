import Crypto
public import RPCCore

/// Callers who present `authorization: Bearer <token>` with a token this server is configured with.
///
/// Only each token's SHA-256 digest is kept, so a memory dump or a log of the configuration object does
/// not reveal the tokens; a presented token is hashed and compared with every digest in constant time,
/// without stopping at a match, so timing reveals neither which token matched nor how much of one did.
public struct BearerTokenAuthenticator: Authenticator {
    private struct Entry: Sendable {
        let digest: [UInt8]
        let subject: String
        let scopes: Set<Scope>
    }

    private let entries: [Entry]

    /// Tokens and the scopes each grants.
    public init(tokens: [String: Set<Scope>]) {
        entries = tokens.map { token, scopes in
            let digest = Array(SHA256.hash(data: Array(token.utf8)))
            return Entry(digest: digest, subject: Self.subject(digest: digest), scopes: scopes)
        }
    }

    /// Keys known only by their SHA-256 digests (a keys file holds no key itself), each with a name, which
    /// becomes the caller's subject (`key:NAME`), and the scopes it grants.
    public init(digests: [(name: String, sha256: [UInt8], scopes: Set<Scope>)]) {
        entries = digests.map { Entry(digest: $0.sha256, subject: "key:\($0.name)", scopes: $0.scopes) }
    }

    /// Parses `token=scope scope,token2=scope` (the `ISID_API_TOKENS` syntax). A token without `=` gets
    /// `defaultScopes`.
    public init(parsing specification: String, defaultScopes: Set<Scope>) throws(AuthConfigurationError) {
        var tokens: [String: Set<Scope>] = [:]
        for entry in specification.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.trimmingSpaces
            }
            guard let token = parts.first, !token.isEmpty else { throw .emptyToken }
            let scopes =
                parts.count == 2 ? Set(parts[1].split(separator: " ").map { Scope(String($0)) }) : defaultScopes
            if let unknown = scopes.first(where: { !Scope.all.contains($0) }) {
                throw .unknownScope(unknown.name)
            }
            tokens[token, default: []].formUnion(scopes)
        }
        self.init(tokens: tokens)
    }

    public var isEmpty: Bool { entries.isEmpty }

    public func canGrant(_ scope: Scope) -> Bool {
        entries.contains { $0.scopes.contains(scope) || $0.scopes.contains(.admin) }
    }

    public func authenticate(_ metadata: Metadata, method: MethodDescriptor) throws(RPCError) -> Identity? {
        guard var header = metadata.first("authorization") else { return nil }
        let prefix = "Bearer "  // 7 bytes
        guard header.hasPrefix(prefix) else {
            throw RPCError(code: .unauthenticated, message: "authorization must be \"Bearer <token>\"")
        }
        // Hashed from the header's own bytes, and compared in place: no copies of the token or its digest.
        var hasher = SHA256()
        header.withUTF8 {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer($0).dropFirst(7)))
        }
        var found: Entry?
        hasher.finalize().withUnsafeBytes { presented in
            for entry in entries where constantTimeEqual(entry.digest, presented) { found = entry }
        }
        guard let found else { throw RPCError(code: .unauthenticated, message: "unknown token") }
        return Identity(subject: found.subject, scopes: found.scopes, source: .bearerToken)
    }

    /// A name for a token that is safe to log: the first bytes of its digest.
    private static func subject(digest: [UInt8]) -> String {
        "token:"
            + digest.prefix(6).map { byte in
                let hex = Array("0123456789abcdef")
                return String([hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            }.joined()
    }
}

/// A configuration of credentials that cannot be used.
public enum AuthConfigurationError: Error, Equatable, CustomStringConvertible {
    case emptyToken
    case unknownScope(String)
    case secretTooShort(bytes: Int)

    public var description: String {
        switch self {
        case .emptyToken:
            return "an API token entry is empty (expected token=scope scope,...)"
        case .unknownScope(let name):
            return "unknown scope \"\(name)\" (known: \(Scope.all.map(\.name).joined(separator: ", ")))"
        case .secretTooShort(let bytes):
            return "the identity secret has \(bytes) bytes; it needs at least \(GatewayIdentity.minimumSecretBytes)"
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
