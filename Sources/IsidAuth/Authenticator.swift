public import RPCCore

/// Establishes who is calling from a call's metadata, by one kind of credential.
public protocol Authenticator: Sendable {
    /// The caller's identity; nil when the call carries no credential of this kind. Throws UNAUTHENTICATED
    /// when it carries one that does not hold (unknown, malformed, stale, wrongly signed).
    func authenticate(_ metadata: Metadata, method: MethodDescriptor) throws(RPCError) -> Identity?

    /// Whether some credential this authenticator accepts can hold `scope`; when none can, a call needing the
    /// scope is refused as PERMISSION_DENIED even without credentials (the server has the method disabled).
    func canGrant(_ scope: Scope) -> Bool
}

/// Compares two byte strings in time that depends only on their lengths, never on where they differ.
func constantTimeEqual(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
    return difference == 0
}
