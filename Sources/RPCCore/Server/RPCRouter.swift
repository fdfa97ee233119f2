import IsidSync

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
    /// Serves calls to paths no service registered (a proxy's route), if set.
    private var catchAll: CatchAllRoute?

    public init() {}

    public init(services: [any RPCService]) {
        self.init()
        for service in services { service.registerMethods(with: &self) }
    }

    /// The method registered for an HTTP/2 `:path`, else the catch-all route's method for it; nil when
    /// there is neither (UNIMPLEMENTED).
    public func method(forPath path: String) -> ServerMethod? {
        methods[path] ?? catchAll?.method(forPath: path)
    }

    /// The method for a `:path` given as its raw bytes, as ``method(forPath:)-(String)`` finds it. For
    /// transports: the bytes are the header's, read without making a `String` on the usual path.
    package func method(forPath path: UnsafeRawBufferPointer) -> ServerMethod? {
        if let method = pathTable.method(forPath: path) { return method }
        return catchAll?.method(forPath: path)
    }

    /// Sends every call to a path that no service registered to `handler`, as a bidirectional-streaming call
    /// whose descriptor names the path the client asked for. What a proxy registers; without it such calls
    /// are UNIMPLEMENTED. Paths that are not `/Service/Method` stay UNIMPLEMENTED.
    public mutating func registerCatchAll(
        _ handler: @escaping @Sendable (any ServerCallStream, ServerContext) async throws -> Void
    ) {
        catchAll = CatchAllRoute(body: handler)
    }

    /// Whether calls to unregistered paths have a handler.
    public var hasCatchAll: Bool { catchAll != nil }

    public var registeredMethods: [MethodDescriptor] { methods.values.map(\.descriptor) }

    /// Fully-qualified names of the services with at least one method.
    public var serviceNames: [String] { Array(Set(methods.values.map(\.descriptor.service))).sorted() }

    /// The same routes, each method's calls heard by the observer `observer` makes for it.
    public func observed(by observer: any ServerCallObserver) -> RPCRouter {
        var router = RPCRouter()
        for method in methods.values {
            router.register(method.observed(by: observer.methodObserver(for: method.descriptor)))
        }
        router.catchAll = catchAll.map { $0.observed(by: observer) }
        return router
    }

    /// The same routes, each method's calls going through the interceptors that apply to it, first outermost.
    public func intercepted(by interceptors: [any ServerInterceptor]) -> RPCRouter {
        guard !interceptors.isEmpty else { return self }
        var router = RPCRouter()
        for method in methods.values {
            router.register(method.intercepted(by: interceptors))
        }
        router.catchAll = catchAll.map { $0.intercepted(by: interceptors) }
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

/// The handler of calls to unregistered paths, and what wraps it (interceptors, then the observer). Each path
/// gets its own ``ServerMethod``, since its descriptor is the path the client asked for; the ones made are
/// kept, so a proxied method's later calls neither parse the path nor compose the interceptors again.
private struct CatchAllRoute: Sendable {
    let body: @Sendable (any ServerCallStream, ServerContext) async throws -> Void
    var interceptors: [any ServerInterceptor] = []
    var observers: CatchAllObservers?
    /// Made anew by every copy that wraps the route differently: a method is made with the wrapping.
    var made = CatchAllMethods()

    func method(forPath path: String) -> ServerMethod? {
        var path = path
        return path.withUTF8 { method(forPath: UnsafeRawBufferPointer($0)) }
    }

    func method(forPath path: UnsafeRawBufferPointer) -> ServerMethod? {
        made.method(forPath: path) { path in
            guard let descriptor = MethodDescriptor(path: path, kind: .bidirectionalStreaming) else { return nil }
            let method = ServerMethod(descriptor: descriptor, body: body).intercepted(by: interceptors)
            guard let observers else { return method }
            return method.observed(by: observers.observer(for: descriptor))
        }
    }

    func intercepted(by interceptors: [any ServerInterceptor]) -> CatchAllRoute {
        var route = self
        route.interceptors = interceptors + route.interceptors
        route.made = CatchAllMethods()
        return route
    }

    func observed(by observer: any ServerCallObserver) -> CatchAllRoute {
        var route = self
        route.observers = CatchAllObservers(observer: observer)
        route.made = CatchAllMethods()
        return route
    }
}

/// The observers of catch-all calls, one per path, made on a path's first call. Clients choose the paths, so
/// the number kept is bounded: past it, calls to new paths share one observer named `unknown/unknown`, and
/// metrics labelled by method cannot grow without bound.
private final class CatchAllObservers: Sendable {
    static let limit = 256
    private let observer: any ServerCallObserver
    private let byPath = Lock<[String: any MethodCallObserver]>([:])
    private let overflow: any MethodCallObserver

    init(observer: any ServerCallObserver) {
        self.observer = observer
        self.overflow = observer.methodObserver(
            for: MethodDescriptor(service: "unknown", method: "unknown", kind: .bidirectionalStreaming)
        )
    }

    func observer(for descriptor: MethodDescriptor) -> any MethodCallObserver {
        byPath.withLock { observers in
            if let known = observers[descriptor.path] { return known }
            guard observers.count < Self.limit else { return overflow }
            let made = observer.methodObserver(for: descriptor)
            observers[descriptor.path] = made
            return made
        }
    }
}

/// The catch-all's methods made so far, found by the path's bytes. Clients choose the paths, so as many are
/// kept as the observers keep; past that, a call to a new path gets a method made for it alone.
private final class CatchAllMethods: Sendable {
    private let table = Lock(PathTable())

    func method(forPath path: UnsafeRawBufferPointer, make: (String) -> ServerMethod?) -> ServerMethod? {
        if let known = table.withLock({ $0.method(forPath: path) }) { return known }
        guard let method = make(String(decoding: path, as: UTF8.self)) else { return nil }
        return table.withLock { table in
            if let known = table.method(forPath: path) { return known }
            if table.count < CatchAllObservers.limit { table.append(method) }
            return method
        }
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
        for method in methods { append(method) }
    }

    var count: Int { methods.count }

    mutating func append(_ method: ServerMethod) {
        offsets.append(bytes.count)
        lengths.append(method.descriptor.path.utf8.count)
        bytes.append(contentsOf: method.descriptor.path.utf8)
        methods.append(method)
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
