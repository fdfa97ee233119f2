public import RPCCore

/// Decides whether a call may write: it must carry `authorization: Bearer <token>` with a token configured with
/// the "indicators.write" scope. No or unknown token: UNAUTHENTICATED. A known token without the scope, or no
/// token configured at all (writes disabled): PERMISSION_DENIED.
public struct WriteAuthorizer: Sendable {
    public static let writeScope = "indicators.write"

    /// Token -> scopes.
    private let tokens: [String: Set<String>]

    public init(tokens: [String: Set<String>]) {
        self.tokens = tokens
    }

    /// Parses "token=scope scope,token2=scope" (the `--api-tokens` / ISID_API_TOKENS syntax); a token with no
    /// "=" gets the write scope.
    public init(parsing specification: String) throws(WriteAuthorizerError) {
        var tokens: [String: Set<String>] = [:]
        for entry in specification.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { String($0).trimmed }
            guard let token = parts.first, !token.isEmpty else { throw .emptyToken }
            let scopes =
                parts.count == 2
                ? Set(parts[1].split(separator: " ").map(String.init)) : [Self.writeScope]
            tokens[token, default: []].formUnion(scopes)
        }
        self.init(tokens: tokens)
    }

    public var writesEnabled: Bool { tokens.values.contains { $0.contains(Self.writeScope) } }

    public func authorizeWrite(_ metadata: Metadata) throws(RPCError) {
        guard writesEnabled else {
            throw RPCError(
                code: .permissionDenied,
                message: "writes are disabled: no token with the indicators.write scope is configured"
            )
        }
        guard let header = metadata.first("authorization") else {
            throw RPCError(code: .unauthenticated, message: "missing \"authorization: Bearer <token>\" metadata")
        }
        let prefix = "Bearer "
        guard header.hasPrefix(prefix) else {
            throw RPCError(code: .unauthenticated, message: "authorization must be \"Bearer <token>\"")
        }
        let presented = String(header.dropFirst(prefix.count))
        // Compare against every token without stopping early, so timing does not reveal a prefix match.
        var scopes: Set<String>?
        for (token, granted) in tokens where Self.constantTimeEqual(token, presented) { scopes = granted }
        guard let scopes else { throw RPCError(code: .unauthenticated, message: "unknown token") }
        guard scopes.contains(Self.writeScope) else {
            throw RPCError(code: .permissionDenied, message: "the token lacks the indicators.write scope")
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}

public enum WriteAuthorizerError: Error, CustomStringConvertible {
    case emptyToken
    public var description: String { "an API token entry is empty (expected token=scope,...)" }
}

extension String {
    fileprivate var trimmed: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
