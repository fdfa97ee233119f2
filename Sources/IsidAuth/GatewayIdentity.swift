import Crypto
import IsidSync
public import RPCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The identity metadata the gateway adds to each call it forwards, signed with a secret it shares with the
/// services behind it, so a caller who reaches a service directly cannot claim an identity.
///
/// The signature is HMAC-SHA256 over the identity, its scopes, the method's `:path` and the time of signing;
/// binding the method and the time means a captured set of headers is good only for that method, and only
/// within the accepted age.
public enum GatewayIdentity {
    public static let subjectKey = "isid-identity"
    public static let scopesKey = "isid-identity-scopes"
    public static let timestampKey = "isid-identity-timestamp"
    public static let signatureKey = "isid-identity-signature"
    public static let keys = [subjectKey, scopesKey, timestampKey, signatureKey]

    /// HMAC-SHA256 wants a key at least as long as its output.
    public static let minimumSecretBytes = 32

    /// The bytes that are signed: one line each, in a fixed order, scopes sorted.
    static func signedText(subject: String, scopes: Set<Scope>, path: String, timestamp: Int64) -> [UInt8] {
        let scopeList = scopes.sorted().map(\.name).joined(separator: " ")
        return Array("isid-identity-v1\n\(subject)\n\(scopeList)\n\(path)\n\(timestamp)".utf8)
    }

    static func signature(key: SymmetricKey, text: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: text, using: key))
    }

    /// Seconds since the Unix epoch.
    public static func unixTime() -> Int64 { Int64(time(nil)) }
}

/// Signs identities onto forwarded calls: what the gateway uses.
public struct GatewayIdentitySigner: Sendable {
    private let key: SymmetricKey
    private let recent = RecentSignatures()

    public init(secret: String) throws(AuthConfigurationError) {
        let bytes = Array(secret.utf8)
        guard bytes.count >= GatewayIdentity.minimumSecretBytes else { throw .secretTooShort(bytes: bytes.count) }
        key = SymmetricKey(data: bytes)
    }

    /// Replaces any identity metadata in `metadata` with `identity`, signed for a call to `method` now.
    public func sign(
        _ identity: Identity,
        method: MethodDescriptor,
        into metadata: inout Metadata,
        at timestamp: Int64 = GatewayIdentity.unixTime()
    ) {
        for key in GatewayIdentity.keys { metadata.remove(key) }
        let signed = recent.signed(identity, path: method.path, timestamp: timestamp) {
            let text = GatewayIdentity.signedText(
                subject: identity.subject,
                scopes: identity.scopes,
                path: method.path,
                timestamp: timestamp
            )
            return RecentSignatures.Signed(
                scopes: identity.scopes,
                timestamp: timestamp,
                scopeText: identity.scopes.sorted().map(\.name).joined(separator: " "),
                timestampText: String(timestamp),
                signature: hex(GatewayIdentity.signature(key: key, text: text))
            )
        }
        metadata.add(GatewayIdentity.subjectKey, identity.subject)
        metadata.add(GatewayIdentity.scopesKey, signed.scopeText)
        metadata.add(GatewayIdentity.timestampKey, signed.timestampText)
        metadata.add(GatewayIdentity.signatureKey, signed.signature)
    }
}

/// The identity metadata signed last for each caller and method. A signature covers the second it was made
/// in, and a busy key calls a few methods many times a second, so most calls reuse one instead of sorting
/// scopes, building the signed text and computing an HMAC again.
private final class RecentSignatures: Sendable {
    struct Key: Hashable {
        let subject: String
        let path: String
    }

    struct Signed {
        let scopes: Set<Scope>
        let timestamp: Int64
        let scopeText: String
        let timestampText: String
        let signature: String
    }

    /// Callers and paths are few in practice; past this many, the kept signatures start over.
    static let limit = 1024
    private let entries = Lock<[Key: Signed]>([:])

    func signed(_ identity: Identity, path: String, timestamp: Int64, make: () -> Signed) -> Signed {
        let key = Key(subject: identity.subject, path: path)
        if let kept = entries.withLock({ $0[key] }), kept.timestamp == timestamp, kept.scopes == identity.scopes {
            return kept
        }
        let signed = make()
        entries.withLock { entries in
            if entries.count >= Self.limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = signed
        }
        return signed
    }
}

/// Callers whose identity the gateway signed.
public struct GatewayIdentityAuthenticator: Authenticator {
    private let key: SymmetricKey
    /// How far the signing time may lie from now, either way (clocks drift).
    public let maximumAge: Int64
    private let now: @Sendable () -> Int64

    public init(
        secret: String,
        maximumAge: Duration = .seconds(60),
        now: @escaping @Sendable () -> Int64 = { GatewayIdentity.unixTime() }
    ) throws(AuthConfigurationError) {
        let bytes = Array(secret.utf8)
        guard bytes.count >= GatewayIdentity.minimumSecretBytes else { throw .secretTooShort(bytes: bytes.count) }
        self.key = SymmetricKey(data: bytes)
        self.maximumAge = maximumAge.components.seconds
        self.now = now
    }

    public func canGrant(_ scope: Scope) -> Bool { true }

    public func authenticate(_ metadata: Metadata, method: MethodDescriptor) throws(RPCError) -> Identity? {
        guard let subject = metadata.first(GatewayIdentity.subjectKey) else {
            if GatewayIdentity.keys.contains(where: { metadata.first($0) != nil }) {
                throw RPCError(code: .unauthenticated, message: "incomplete gateway identity metadata")
            }
            return nil
        }
        guard let scopeList = metadata.first(GatewayIdentity.scopesKey),
            let timestampText = metadata.first(GatewayIdentity.timestampKey),
            let timestamp = Int64(timestampText),
            let signatureText = metadata.first(GatewayIdentity.signatureKey),
            let signature = unhex(signatureText)
        else {
            throw RPCError(code: .unauthenticated, message: "incomplete or malformed gateway identity metadata")
        }
        let scopes = Set(scopeList.split(separator: " ").map { Scope(String($0)) })
        let expected = GatewayIdentity.signature(
            key: key,
            text: GatewayIdentity.signedText(subject: subject, scopes: scopes, path: method.path, timestamp: timestamp)
        )
        guard constantTimeEqual(expected, signature) else {
            throw RPCError(code: .unauthenticated, message: "the gateway identity signature does not match")
        }
        let age = now() - timestamp
        guard age <= maximumAge, age >= -maximumAge else {
            throw RPCError(code: .unauthenticated, message: "the gateway identity is stale (signed \(age) s ago)")
        }
        return Identity(subject: subject, scopes: scopes, source: .gateway)
    }
}

/// Lower-case hexadecimal.
private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}

private func unhex(_ text: String) -> [UInt8]? {
    let chars = Array(text.utf8)
    guard chars.count.isMultiple(of: 2) else { return nil }
    func value(_ char: UInt8) -> UInt8? {
        switch char {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return char - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return char - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return char - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(chars.count / 2)
    var index = 0
    while index < chars.count {
        guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
        bytes.append(high << 4 | low)
        index += 2
    }
    return bytes
}
