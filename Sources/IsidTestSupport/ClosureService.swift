public import RPCCore

/// A service assembled from closures, so a test states the handler it needs next to its assertions.
public struct ClosureService: RPCService {
    public typealias Unary = @Sendable (RawMessage, ServerContext) async throws -> RawMessage
    public typealias ServerStreaming =
        @Sendable (RawMessage, ResponseWriter<RawMessage>, ServerContext) async throws -> Void

    public static let serviceName = "test.Closures"

    private var unary: [String: Unary] = [:]
    private var serverStreaming: [String: ServerStreaming] = [:]

    public init() {}

    public static func method(_ name: String, kind: RPCKind = .unary) -> MethodDescriptor {
        MethodDescriptor(service: serviceName, method: name, kind: kind)
    }

    public func unary(_ name: String, _ handler: @escaping Unary) -> ClosureService {
        var copy = self
        copy.unary[name] = handler
        return copy
    }

    public func serverStreaming(_ name: String, _ handler: @escaping ServerStreaming) -> ClosureService {
        var copy = self
        copy.serverStreaming[name] = handler
        return copy
    }

    public func registerMethods(with router: inout RPCRouter) {
        for (name, handler) in unary {
            router.registerUnary(Self.method(name), handler: handler)
        }
        for (name, handler) in serverStreaming {
            router.registerServerStreaming(Self.method(name, kind: .serverStreaming), handler: handler)
        }
    }
}
