/// One registered method: its descriptor and the code that serves a call to it.
///
/// A class: every call holds its method from the request head to the end, and one reference is cheaper
/// to pass around than the descriptor's strings, the handler and the observer one by one.
public final class ServerMethod: Sendable {
    public let descriptor: MethodDescriptor
    /// Hears this method's calls; set by ``RPCRouter/observed(by:)``.
    public let observer: (any MethodCallObserver)?
    private let body: @Sendable (any ServerCallStream, ServerContext) async throws -> Void

    public convenience init(
        descriptor: MethodDescriptor,
        body: @escaping @Sendable (any ServerCallStream, ServerContext) async throws -> Void
    ) {
        self.init(descriptor: descriptor, observer: nil, body: body)
    }

    private init(
        descriptor: MethodDescriptor,
        observer: (any MethodCallObserver)?,
        body: @escaping @Sendable (any ServerCallStream, ServerContext) async throws -> Void
    ) {
        self.descriptor = descriptor
        self.observer = observer
        self.body = body
    }

    /// The same method, its calls heard by `observer`.
    public func observed(by observer: any MethodCallObserver) -> ServerMethod {
        ServerMethod(descriptor: descriptor, observer: observer, body: body)
    }

    /// The same method, its calls going through those of `interceptors` that apply to it, first outermost.
    /// The chain is composed here, once per method, into one closure per interceptor: a call pays for the
    /// interceptors it meets and nothing to walk the list.
    public func intercepted(by interceptors: [any ServerInterceptor]) -> ServerMethod {
        let chain = interceptors.filter { $0.applies(to: descriptor) }
        guard !chain.isEmpty else { return self }
        var composed = body
        for interceptor in chain.reversed() {
            let next = composed
            composed = { stream, context in
                try await interceptor.intercept(ServerCall(stream: stream, context: context)) { call in
                    try await next(call.stream, call.context)
                }
            }
        }
        return ServerMethod(descriptor: descriptor, observer: observer, body: composed)
    }

    /// Serves one call to the end: runs the handler with the call's deadline in scope, then finishes the
    /// stream with OK or with the status the thrown error maps to. Never throws; every outcome is a status.
    /// The method's observer, if any, hears the call start and finish.
    public func serve(_ stream: any ServerCallStream) async {
        let context = ServerContext(stream: stream)
        let start = observer.map { observer in
            observer.callStarted()
            return ContinuousClock.now
        }
        let code: StatusCode
        do {
            if let deadline = stream.deadline {
                try await CallDeadline.$current.withValue(deadline) {
                    try await body(stream, context)
                }
            } else {
                // No deadline to pass on, and a server call's task inherits no task-locals: binding nil
                // would only cost a task-local record (its lock showed in the unary profile).
                try await body(stream, context)
            }
            context.finish(with: nil)
            code = .ok
        } catch {
            let error = RPCError(from: error)
            context.finish(with: error)
            code = error.code
        }
        if let observer, let start {
            observer.callFinished(code: code, duration: ContinuousClock.now - start)
        }
    }
}
