public import NIOCore

/// Code that runs when a client opens a call: adds metadata (credentials, trace context, a signed
/// identity), rejects a call before it leaves, or wraps the call's stream to watch its messages and status.
///
/// Interceptors form an ordered chain: the first one given is the outermost. Each gets the call as it is
/// about to be opened and calls `next` (at most once) with the call, changed or not.
public protocol ClientInterceptor: Sendable {
    func intercept(
        _ request: ClientCallRequest,
        next: (ClientCallRequest) async throws(RPCError) -> any ClientCallStream
    ) async throws(RPCError) -> any ClientCallStream
}

/// A call about to be opened, as a client interceptor sees it.
public struct ClientCallRequest: Sendable {
    public var method: MethodDescriptor
    /// The request metadata: what the caller gave, plus what interceptors before this one added.
    public var metadata: Metadata
    /// The earlier of the call's timeout and the deadline of the handler making the call, if any.
    public var deadline: NIODeadline?
    public var options: CallOptions

    public init(method: MethodDescriptor, metadata: Metadata, deadline: NIODeadline?, options: CallOptions) {
        self.method = method
        self.metadata = metadata
        self.deadline = deadline
        self.options = options
    }
}

/// A transport whose calls go through a chain of client interceptors first.
public struct InterceptedClientTransport: ClientTransport {
    public let base: any ClientTransport
    public let interceptors: [any ClientInterceptor]

    public init(_ base: any ClientTransport, interceptors: [any ClientInterceptor]) {
        self.base = base
        self.interceptors = interceptors
    }

    public func openCall(
        _ method: MethodDescriptor,
        metadata: Metadata,
        deadline: NIODeadline?,
        options: CallOptions
    ) async throws(RPCError) -> any ClientCallStream {
        let request = ClientCallRequest(method: method, metadata: metadata, deadline: deadline, options: options)
        return try await open(request, through: interceptors[...])
    }

    private func open(
        _ request: ClientCallRequest,
        through chain: ArraySlice<any ClientInterceptor>
    ) async throws(RPCError) -> any ClientCallStream {
        guard let first = chain.first else {
            return try await base.openCall(
                request.method,
                metadata: request.metadata,
                deadline: request.deadline,
                options: request.options
            )
        }
        return try await first.intercept(request) { request async throws(RPCError) in
            try await open(request, through: chain.dropFirst())
        }
    }
}
