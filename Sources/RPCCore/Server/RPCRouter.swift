#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Maps `:path` to the handler of each registered method.
public struct RPCRouter: Sendable {
    private var methods: [String: ServerMethod] = [:]
    /// The same methods' paths as UTF-8, so the transport can resolve `:path` from the header's bytes
    /// without making a `String` and hashing it on every call.
    private var pathTable = PathTable()

    public init() {}

    public init(services: [any RPCService]) {
        self.init()
        for service in services { service.registerMethods(with: &self) }
    }

    /// The method registered for an HTTP/2 `:path`, nil when there is none (UNIMPLEMENTED).
    public func method(forPath path: String) -> ServerMethod? { methods[path] }

    /// The method registered for a `:path` given as its raw bytes, nil when there is none.
    package func method(forPath path: UnsafeRawBufferPointer) -> ServerMethod? {
        pathTable.method(forPath: path)
    }

    public var registeredMethods: [MethodDescriptor] { methods.values.map(\.descriptor) }

    /// Fully-qualified names of the services with at least one method.
    public var serviceNames: [String] { Array(Set(methods.values.map(\.descriptor.service))).sorted() }

    /// The same routes, each method's calls heard by the observer `observer` makes for it.
    public func observed(by observer: any ServerCallObserver) -> RPCRouter {
        var router = RPCRouter()
        for method in methods.values {
            router.register(method.observed(by: observer.methodObserver(for: method.descriptor)))
        }
        return router
    }

    public mutating func register(_ method: ServerMethod) {
        let path = method.descriptor.path
        methods[path] = method
        pathTable = PathTable(methods.values)
    }

    public mutating func registerUnary<Request: WireMessage, Response: WireMessage>(
        _ descriptor: MethodDescriptor,
        handler: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        precondition(descriptor.kind == .unary, "\(descriptor) is not unary")
        register(
            ServerMethod(descriptor: descriptor) { stream, context in
                let request = try await receiveSingleRequest(Request.self, from: stream)
                let response = try await handler(request, context)
                try await ResponseWriter(stream: stream, context: context).write(response)
            }
        )
    }

    public mutating func registerServerStreaming<Request: WireMessage, Response: WireMessage>(
        _ descriptor: MethodDescriptor,
        handler: @escaping @Sendable (Request, ResponseWriter<Response>, ServerContext) async throws -> Void
    ) {
        precondition(descriptor.kind == .serverStreaming, "\(descriptor) is not server-streaming")
        register(
            ServerMethod(descriptor: descriptor) { stream, context in
                let request = try await receiveSingleRequest(Request.self, from: stream)
                try await handler(request, ResponseWriter(stream: stream, context: context), context)
            }
        )
    }

    public mutating func registerClientStreaming<Request: WireMessage, Response: WireMessage>(
        _ descriptor: MethodDescriptor,
        handler: @escaping @Sendable (RequestStream<Request>, ServerContext) async throws -> Response
    ) {
        precondition(descriptor.kind == .clientStreaming, "\(descriptor) is not client-streaming")
        register(
            ServerMethod(descriptor: descriptor) { stream, context in
                let response = try await handler(RequestStream(receive: stream.receive), context)
                try await ResponseWriter(stream: stream, context: context).write(response)
            }
        )
    }

    public mutating func registerBidirectionalStreaming<Request: WireMessage, Response: WireMessage>(
        _ descriptor: MethodDescriptor,
        handler:
            @escaping @Sendable (RequestStream<Request>, ResponseWriter<Response>, ServerContext) async throws
            -> Void
    ) {
        precondition(descriptor.kind == .bidirectionalStreaming, "\(descriptor) is not bidirectional")
        register(
            ServerMethod(descriptor: descriptor) { stream, context in
                try await handler(
                    RequestStream(receive: stream.receive),
                    ResponseWriter(stream: stream, context: context),
                    context
                )
            }
        )
    }
}

/// Reads the one request message of a unary or server-streaming call.
private func receiveSingleRequest<Request: WireMessage>(
    _ type: Request.Type,
    from stream: any ServerCallStream
) async throws(RPCError) -> Request {
    guard let bytes = try await stream.receive() else {
        throw RPCError(code: .internal, message: "Client half-closed without sending a request message.")
    }
    guard try await stream.receive() == nil else {
        throw RPCError(code: .internal, message: "Client sent more than one request message for \(stream.method).")
    }
    return try decodeMessage(Request.self, from: bytes, side: "request")
}

/// Every registered path's UTF-8 back to back, with each one's offset and length.
///
/// Looked up by a linear scan: services register tens of methods, and comparing lengths first (plain
/// integers, nothing reference-counted) leaves a memcmp or two, cheaper than hashing the path.
private struct PathTable: Sendable {
    private var bytes: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int] = []
    private var methods: [ServerMethod] = []

    init() {}

    init(_ methods: some Sequence<ServerMethod>) {
        for method in methods {
            offsets.append(bytes.count)
            lengths.append(method.descriptor.path.utf8.count)
            bytes.append(contentsOf: method.descriptor.path.utf8)
            self.methods.append(method)
        }
    }

    func method(forPath path: UnsafeRawBufferPointer) -> ServerMethod? {
        guard let base = path.baseAddress else { return nil }
        let found: Int? = bytes.withUnsafeBytes { all in
            for index in lengths.indices where lengths[index] == path.count {
                if memcmp(all.baseAddress! + offsets[index], base, path.count) == 0 { return index }
            }
            return nil
        }
        return found.map { methods[$0] }
    }
}
