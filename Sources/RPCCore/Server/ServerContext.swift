import IsidSync
public import NIOCore

/// What a handler knows about its call, and how it shapes the response's metadata.
public final class ServerContext: Sendable {
    // Read from the stream when asked rather than copied in: most handlers never look, and a context
    // is made for every call.
    public var method: MethodDescriptor { stream.method }
    public var requestMetadata: Metadata { stream.requestMetadata }
    /// When the client stops waiting; the call is cancelled then. Downstream calls inherit it.
    public var deadline: NIODeadline? { stream.deadline }
    public var peer: String { stream.peer }

    private let stream: any ServerCallStream
    private let state: Lock<ResponseState>

    private struct ResponseState {
        var headers = Metadata()
        var trailers = Metadata()
        var encoding: MessageEncoding?
        var headersSent = false
    }

    /// Made by the server for each call; tests make one over an in-memory stream.
    public init(stream: any ServerCallStream) {
        self.stream = stream
        self.state = Lock(ResponseState())
    }

    /// Whether the request message read last arrived compressed. Services rarely care; gRPC's interop
    /// tests check that a client compressed what it said it would.
    public var lastRequestWasCompressed: Bool { stream.lastReceivedMessageWasCompressed }

    /// Adds metadata to the response headers. Has no effect once the first message has been sent.
    public func addResponseMetadata(_ metadata: Metadata) {
        state.withLock { $0.headers.add(contentsOf: metadata) }
    }

    /// Adds metadata to the trailers sent with the final status.
    public func addTrailingMetadata(_ metadata: Metadata) {
        state.withLock { $0.trailers.add(contentsOf: metadata) }
    }

    /// Asks for responses compressed with `encoding`. Honoured only when the client accepts it and the
    /// headers have not gone yet; returns whether it will be used.
    @discardableResult
    public func compressResponses(with encoding: MessageEncoding) -> Bool {
        guard encoding == .identity || stream.acceptedResponseEncodings.contains(encoding) else { return false }
        return state.withLock { state in
            guard !state.headersSent else { return false }
            state.encoding = encoding == .identity ? nil : encoding
            return true
        }
    }

    /// Whether the handler added no response metadata and chose no compression: its answer is the message
    /// alone, which a cache may keep as bytes.
    var sendsNoMetadata: Bool {
        state.withLock { $0.headers.isEmpty && $0.trailers.isEmpty && $0.encoding == nil }
    }

    /// Sends the response headers if they have not gone yet, and returns the response encoding.
    @discardableResult
    func sendHeadersIfNeeded() -> MessageEncoding? {
        // One lock per message: a stream's later writes only read the encoding.
        let (unsentHeaders, encoding) = state.withLock { state -> (Metadata?, MessageEncoding?) in
            if state.headersSent { return (nil, state.encoding) }
            state.headersSent = true
            return (state.headers, state.encoding)
        }
        if let unsentHeaders {
            stream.sendHeaders(unsentHeaders, encoding: encoding)
        }
        return encoding
    }

    /// Ends the call: OK with the trailers, or the error's status with its metadata added. Response
    /// metadata that never went out in headers travels in the Trailers-Only response instead.
    func finish(with error: RPCError?) {
        var all: Metadata = state.withLock { state in
            var all = state.headersSent ? Metadata() : state.headers
            state.headersSent = true
            all.add(contentsOf: state.trailers)
            return all
        }
        if let error {
            all.add(contentsOf: error.metadata)
            stream.finish(status: error.status, trailers: all)
        } else {
            stream.finish(status: .ok, trailers: all)
        }
    }
}
