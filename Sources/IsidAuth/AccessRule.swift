public import RPCCore

/// What a caller needs to call one method.
public enum AccessRule: Hashable, Sendable {
    /// Anyone, with or without credentials (health checks, reflection).
    case `public`
    /// A caller holding the scope.
    case requires(Scope)
}

/// A service that says, per method, what a caller needs. A method it does not list is refused to everyone:
/// forgetting a rule closes a method rather than opening it.
public protocol AccessControlledService: RPCService {
    var accessRules: [MethodDescriptor: AccessRule] { get }
}

/// The rules of the methods of the services that declare them, looked up by `:path`.
///
/// A service is guarded once it declares a rule for any of its methods; its methods without a rule are then
/// refused. Services that declare none (health, reflection, test services) are not guarded.
public struct AccessPolicy: Sendable {
    private var rules: [String: AccessRule] = [:]
    private var guardedServices: Set<String> = []

    public init() {}

    public init(_ rules: [MethodDescriptor: AccessRule]) {
        for (method, rule) in rules {
            self.rules[method.path] = rule
            guardedServices.insert(method.service)
        }
    }

    /// The rules the services declare; later services' rules win for a method declared twice.
    public init(services: [any RPCService]) {
        for case let service as any AccessControlledService in services {
            merge(AccessPolicy(service.accessRules))
        }
    }

    public mutating func merge(_ other: AccessPolicy) {
        rules.merge(other.rules) { _, new in new }
        guardedServices.formUnion(other.guardedServices)
    }

    /// Whether calls to `service` are held against this policy.
    public func guards(service: String) -> Bool { guardedServices.contains(service) }

    public func rule(for method: MethodDescriptor) -> AccessRule? { rules[method.path] }

    public var isEmpty: Bool { rules.isEmpty }

    /// Every scope some method needs.
    public var requiredScopes: Set<Scope> {
        Set(
            rules.values.compactMap { rule in
                if case .requires(let scope) = rule { return scope }
                return nil
            }
        )
    }
}
