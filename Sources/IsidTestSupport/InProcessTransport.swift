public import NIOCore
public import RPCCore

/// A client transport whose calls reach a server's router in the same process, with no HTTP/2 and no
/// sockets: what service tests run on. Messages keep their gRPC framing (and compression, when a call asks
/// for it), so handlers see what a real transport would hand them; deadlines are enforced and cancellation
/// reaches the handler's task.
public struct InProcessTransport: ClientTransport {
    public let router: RPCRouter

    /// Serves the calls with the routes of `router` as they are (intercepted or observed already, or not).
    public init(router: RPCRouter) {
        self.router = router
    }

    /// Serves the calls with `services`, each call going through `interceptors` (first outermost).
    public init(services: [any RPCService], interceptors: [any ServerInterceptor] = []) {
        self.init(router: RPCRouter(services: services).intercepted(by: interceptors))
    }

    public func openCall(
        _ method: MethodDescriptor,
        metadata: Metadata,
        deadline: NIODeadline?,
        options: CallOptions
    ) async throws(RPCError) -> any ClientCallStream {
        let call = InProcessCall(method: method, metadata: metadata, deadline: deadline, options: options)
        guard let serverMethod = router.method(forPath: method.path) else {
            call.server.finish(
                status: Status(code: .unimplemented, message: "Method not found: \(method.path)"),
                trailers: [:]
            )
            return call.client
        }
        let handler = Task { await serverMethod.serve(call.server) }
        call.attach(handler)
        if let deadline {
            let remaining = deadline - .now()
            call.attachTimer(
                Task {
                    try? await Task.sleep(for: .nanoseconds(max(remaining.nanoseconds, 0)))
                    if !Task.isCancelled { call.deadlineExpired() }
                }
            )
        }
        return call.client
    }
}
