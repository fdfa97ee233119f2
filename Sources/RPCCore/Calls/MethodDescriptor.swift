/// The four shapes of gRPC call.
public enum RPCKind: Hashable, Sendable {
    case unary
    case serverStreaming
    case clientStreaming
    case bidirectionalStreaming

    /// Whether the client may send more than one message.
    public var clientStreams: Bool { self == .clientStreaming || self == .bidirectionalStreaming }
    /// Whether the server may send more than one message.
    public var serverStreams: Bool { self == .serverStreaming || self == .bidirectionalStreaming }

    /// The `grpc_type` label go-grpc-prometheus uses.
    public var metricsLabel: String {
        switch self {
        case .unary: return "unary"
        case .serverStreaming: return "server_stream"
        case .clientStreaming: return "client_stream"
        case .bidirectionalStreaming: return "bidi_stream"
        }
    }
}

/// What a method's proto declares about calling it twice (`option idempotency_level`, protobuf's standard
/// method option): what decides whether a failed call may be retried.
public enum Idempotency: Sendable, Hashable {
    case unknown
    /// `IDEMPOTENT`: calling twice has the effect of calling once.
    case idempotent
    /// `NO_SIDE_EFFECTS`: a read.
    case noSideEffects

    public var allowsRetry: Bool { self != .unknown }
}

/// Names one method of one service, as in the `:path` `/package.Service/Method`.
///
/// Two descriptors are equal when they name the same method with the same shape; `idempotency` describes the
/// method and takes no part in equality, so a descriptor made from a `:path` finds the generated one's entries.
public struct MethodDescriptor: Hashable, Sendable, CustomStringConvertible {
    /// Fully-qualified service name, e.g. `helloworld.Greeter`.
    public let service: String
    /// Method name, e.g. `SayHello`.
    public let method: String
    public let kind: RPCKind
    /// The HTTP/2 `:path` of the method, made once: clients send it on every call.
    public let path: String
    public let idempotency: Idempotency

    public init(service: String, method: String, kind: RPCKind, idempotency: Idempotency = .unknown) {
        self.service = service
        self.method = method
        self.kind = kind
        self.path = "/\(service)/\(method)"
        self.idempotency = idempotency
    }

    public static func == (lhs: MethodDescriptor, rhs: MethodDescriptor) -> Bool {
        lhs.path == rhs.path && lhs.kind == rhs.kind
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(kind)
    }

    /// The same method, declared with `idempotency`.
    public func declaring(_ idempotency: Idempotency) -> MethodDescriptor {
        MethodDescriptor(service: service, method: method, kind: kind, idempotency: idempotency)
    }

    /// The method a `:path` of the form `/package.Service/Method` names; nil for any other form.
    public init?(path: String, kind: RPCKind, idempotency: Idempotency = .unknown) {
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty,
            let service = String(parts[1]), let method = String(parts[2])
        else { return nil }
        self.init(service: service, method: method, kind: kind, idempotency: idempotency)
    }

    public var description: String { path }
}
