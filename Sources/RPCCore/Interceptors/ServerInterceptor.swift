/// Code that runs around the calls a server serves, before and after their handlers: authentication,
/// authorization, trace context, audit logs.
///
/// Interceptors form an ordered chain: the first one given is the outermost, and each decides whether
/// the call goes on by calling `next` (at most once). One may reject a call by throwing (an ``RPCError``,
/// or any error, which maps to a status as a handler's would), bind task-locals around `next` so the
/// handler and the calls it makes downstream see them, or hand `next` a call whose stream it wraps to
/// watch or change the messages.
///
/// Two concerns sit beside the chain rather than in it, on purpose:
/// - the metrics observer (``ServerCallObserver``) sees every call, including those an interceptor
///   rejects, so it is outside the chain; it is also resolved once per method, not per call;
/// - the deadline is enforced by the transport (a timer ends the stream) and bound as
///   ``CallDeadline/current`` before the chain runs, so interceptors' own downstream calls inherit it.
public protocol ServerInterceptor: Sendable {
    /// Whether this interceptor runs for calls to `method`. Asked once per method when the server's routes
    /// are built, so an interceptor that concerns a few methods costs the others nothing.
    func applies(to method: MethodDescriptor) -> Bool

    /// Runs around one call. Calls `next` to go on with the call (the rest of the chain, then the handler).
    func intercept(
        _ call: ServerCall,
        next: (ServerCall) async throws -> Void
    ) async throws
}

extension ServerInterceptor {
    public func applies(to method: MethodDescriptor) -> Bool { true }
}

/// One call as an interceptor sees it.
public struct ServerCall: Sendable {
    /// The call's stream of messages. An interceptor may replace it with a wrapper that forwards to it.
    public var stream: any ServerCallStream
    /// What the handler will see: method, metadata, deadline, peer, and the response's metadata.
    public let context: ServerContext

    public init(stream: any ServerCallStream, context: ServerContext) {
        self.stream = stream
        self.context = context
    }

    public var method: MethodDescriptor { context.method }
    public var requestMetadata: Metadata { context.requestMetadata }
}
