public import RPCCore

/// The one place a server decides who may call what: establishes the caller's identity from the call's
/// metadata, holds it against the method's ``AccessRule``, and runs the handler with ``Identity/current``
/// bound.
///
/// - A method with no rule: PERMISSION_DENIED (fail closed).
/// - Credentials that do not hold (unknown token, bad or stale signature): UNAUTHENTICATED, even for a
///   public method, so a client learns its credential is wrong.
/// - A method needing a scope that no configured credential can grant: PERMISSION_DENIED, the method is
///   disabled on this server.
/// - No identity: UNAUTHENTICATED. An identity without the scope: PERMISSION_DENIED naming the scope.
/// - With `publicReads`, methods needing only a `…:read` scope are open to anonymous callers too.
public struct AuthorizationInterceptor: ServerInterceptor {
    public let policy: AccessPolicy
    public let authenticators: [any Authenticator]
    public let publicReads: Bool

    public init(policy: AccessPolicy, authenticators: [any Authenticator], publicReads: Bool = false) {
        self.policy = policy
        self.authenticators = authenticators
        self.publicReads = publicReads
    }

    /// Only the methods of services that declare access rules.
    public func applies(to method: MethodDescriptor) -> Bool { policy.guards(service: method.service) }

    public func intercept(
        _ call: ServerCall,
        next: (ServerCall) async throws -> Void
    ) async throws {
        let identity = try authorize(call.method, metadata: call.requestMetadata)
        if let identity {
            try await Identity.$current.withValue(identity) { try await next(call) }
        } else {
            try await next(call)
        }
    }

    /// The caller's identity if the call may go on (nil for an anonymous call to an open method); throws the
    /// status that refuses it otherwise.
    public func authorize(_ method: MethodDescriptor, metadata: Metadata) throws(RPCError) -> Identity? {
        guard let rule = policy.rule(for: method) else {
            throw RPCError(code: .permissionDenied, message: "\(method) has no access rule on this server")
        }
        let identity = try authenticate(metadata, method: method)
        guard case .requires(let scope) = rule else { return identity }
        if let identity {
            guard identity.holds(scope) else {
                throw RPCError(code: .permissionDenied, message: "\(method) needs the \(scope) scope")
            }
            return identity
        }
        if publicReads && scope.isRead { return nil }
        guard authenticators.contains(where: { $0.canGrant(scope) }) else {
            throw RPCError(
                code: .permissionDenied,
                message: "\(method) is disabled: no credential configured on this server grants \(scope)"
            )
        }
        throw RPCError(
            code: .unauthenticated,
            message: "\(method) needs the \(scope) scope: send \"authorization: Bearer <token>\""
        )
    }

    private func authenticate(_ metadata: Metadata, method: MethodDescriptor) throws(RPCError) -> Identity? {
        for authenticator in authenticators {
            if let identity = try authenticator.authenticate(metadata, method: method) { return identity }
        }
        return nil
    }
}
