public import IsidAuth
public import RPCCore

/// A method the gateway routes, with what it takes to call it.
public struct GatewayMethod: Sendable {
    public let descriptor: MethodDescriptor
    /// The scope a key needs: `DOMAIN:read` for a method declared free of side effects, `DOMAIN:write`
    /// otherwise, the domain being the proto package's (`isid.DOMAIN.v1`). Services check their own finer
    /// rules (personal data, say) again on the identity the gateway signs.
    public let scope: Scope

    public init(descriptor: MethodDescriptor, scope: Scope) {
        self.descriptor = descriptor
        self.scope = scope
    }

    /// The method with the scope the convention gives it; nil for a service outside `isid.DOMAIN.v1`.
    public init?(_ descriptor: MethodDescriptor) {
        let parts = descriptor.service.split(separator: ".")
        guard parts.count >= 3, parts[0] == "isid" else { return nil }
        let domain = parts[1]
        let access = descriptor.idempotency == .noSideEffects ? "read" : "write"
        self.init(descriptor: descriptor, scope: Scope("\(domain):\(access)"))
    }

    /// Whether anonymous callers may make this call when anonymous reads of `domains` are on.
    public func isPublicRead(domains: Set<String>) -> Bool {
        scope.isRead && domains.contains(String(scope.name.prefix { $0 != ":" }))
    }
}
