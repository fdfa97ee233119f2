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

/// Names one method of one service, as in the `:path` `/package.Service/Method`.
public struct MethodDescriptor: Hashable, Sendable, CustomStringConvertible {
    /// Fully-qualified service name, e.g. `helloworld.Greeter`.
    public let service: String
    /// Method name, e.g. `SayHello`.
    public let method: String
    public let kind: RPCKind
    /// The HTTP/2 `:path` of the method, made once: clients send it on every call.
    public let path: String

    public init(service: String, method: String, kind: RPCKind) {
        self.service = service
        self.method = method
        self.kind = kind
        self.path = "/\(service)/\(method)"
    }

    /// The method a `:path` of the form `/package.Service/Method` names; nil for any other form.
    public init?(path: String, kind: RPCKind) {
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty,
            let service = String(parts[1]), let method = String(parts[2])
        else { return nil }
        self.init(service: service, method: method, kind: kind)
    }

    public var description: String { path }
}
