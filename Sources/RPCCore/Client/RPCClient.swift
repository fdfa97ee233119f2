import NIOCore

/// Makes calls of any shape over a transport. Generated client stubs are thin wrappers over it.
///
/// Every call is cancelled (RST_STREAM CANCEL) if the calling task is cancelled or a streaming call's
/// body returns before the call has ended; a call's deadline is the earlier of `options.timeout` and the
/// deadline of the handler making it.
public struct RPCClient: Sendable {
    public let transport: any ClientTransport

    /// A client whose calls go through `interceptors` (first outermost) before they reach `transport`.
    public init(transport: any ClientTransport, interceptors: [any ClientInterceptor] = []) {
        self.transport =
            interceptors.isEmpty ? transport : InterceptedClientTransport(transport, interceptors: interceptors)
    }

    public func unary<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor,
        request: Request,
        metadata: Metadata = [:],
        options: CallOptions = .defaults,
        responseType: Response.Type = Response.self
    ) async throws -> ClientResponse<Response> {
        try await withCall(method, metadata: metadata, options: options) { call in
            try await sendIgnoringRejection(RequestWriter(call: call), [request])
            call.closeSend()
            return try await Self.singleResponse(Response.self, from: call)
        }
    }

    public func serverStreaming<Request: WireMessage, Response: WireMessage, Result: Sendable>(
        _ method: MethodDescriptor,
        request: Request,
        metadata: Metadata = [:],
        options: CallOptions = .defaults,
        responseType: Response.Type = Response.self,
        body: (ResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await withCall(method, metadata: metadata, options: options) { call in
            try await sendIgnoringRejection(RequestWriter(call: call), [request])
            call.closeSend()
            return try await body(ResponseStream(call: call))
        }
    }

    public func clientStreaming<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor,
        metadata: Metadata = [:],
        options: CallOptions = .defaults,
        responseType: Response.Type = Response.self,
        requests: (RequestWriter<Request>) async throws -> Void
    ) async throws -> ClientResponse<Response> {
        try await withCall(method, metadata: metadata, options: options) { call in
            do {
                try await requests(RequestWriter(call: call))
            } catch let error as RPCError {
                // The server may have ended the call while we were still sending: its status says why.
                let (status, trailers) = await call.receiveStatus()
                throw status.code == .ok ? error : RPCError(status: status, metadata: trailers)
            }
            call.closeSend()
            return try await Self.singleResponse(Response.self, from: call)
        }
    }

    public func bidirectionalStreaming<Request: WireMessage, Response: WireMessage, Result: Sendable>(
        _ method: MethodDescriptor,
        metadata: Metadata = [:],
        options: CallOptions = .defaults,
        requestType: Request.Type = Request.self,
        responseType: Response.Type = Response.self,
        body: (RequestWriter<Request>, ResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await withCall(method, metadata: metadata, options: options) { call in
            try await body(RequestWriter(call: call), ResponseStream(call: call))
        }
    }

    /// Opens a call, runs `body` with it, and makes sure it ends: cancelled if the task is cancelled or
    /// the body leaves it open.
    func withCall<Result>(
        _ method: MethodDescriptor,
        metadata: Metadata,
        options: CallOptions,
        body: (any ClientCallStream) async throws -> Result
    ) async throws -> Result {
        let timeoutDeadline = options.timeout.map { NIODeadline.now() + TimeAmount($0) }
        let deadline = CallDeadline.earliest(timeoutDeadline, CallDeadline.current)
        if let deadline, deadline <= .now() {
            throw RPCError(code: .deadlineExceeded, message: "Deadline passed before the call started.")
        }
        let call = try await transport.openCall(method, metadata: metadata, deadline: deadline, options: options)
        defer { call.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await body(call)
            } onCancel: {
                call.cancel()
            }
        } catch is CancellationError {
            throw RPCError(code: .cancelled, message: "The call was cancelled.")
        }
    }

    /// Writes request messages; a failure to write is left for the call's status to explain.
    private func sendIgnoringRejection<Request: WireMessage>(
        _ writer: RequestWriter<Request>,
        _ requests: [Request]
    ) async throws {
        do {
            try await writer.write(contentsOf: requests)
        } catch let error as RPCError where error.code == .unavailable || error.code == .cancelled {
            // The stream was closed under us; receiving the status reports the real outcome.
        }
    }

    private static func singleResponse<Response: WireMessage>(
        _ type: Response.Type,
        from call: any ClientCallStream
    ) async throws -> ClientResponse<Response> {
        let headers = try await call.receiveHeaders()
        let first = try await call.receive()
        let second = first == nil ? nil : try await call.receive()
        let (status, trailers) = await call.receiveStatus()
        guard status.code == .ok else { throw RPCError(status: status, metadata: trailers) }
        guard let first else {
            throw RPCError(code: .internal, message: "Server ended a unary call with OK but no response message.")
        }
        guard second == nil else {
            throw RPCError(code: .internal, message: "Server sent more than one response to a unary call.")
        }
        let message = try decodeMessage(Response.self, from: first, side: "response")
        return ClientResponse(message: message, initialMetadata: headers, trailingMetadata: trailers)
    }
}
