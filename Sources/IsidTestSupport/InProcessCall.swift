import IsidSync
import NIOCore
import RPCCore

/// One in-process call: the two ends a transport hands to the client API and to the server's method, and
/// the state they share. Every change happens under one lock; continuations resume after it is released.
final class InProcessCall: Sendable {
    let method: MethodDescriptor
    let requestMetadata: Metadata
    let deadline: NIODeadline?
    let requestEncoding: MessageEncoding?
    let state: Lock<State>

    var client: InProcessClientStream { InProcessClientStream(call: self) }
    var server: InProcessServerStream { InProcessServerStream(call: self) }

    struct State: ~Copyable {
        // Requests, client to server.
        var requestDeframer: MessageDeframer
        var requests: [(bytes: ByteBuffer, compressed: Bool)] = []
        var requestsEnded = false
        var requestReceiver: CheckedContinuation<Result<ByteBuffer?, RPCError>, Never>?
        var lastRequestCompressed = false
        // Responses, server to client.
        var responseDeframer: MessageDeframer
        var responseHeaders: Metadata?
        var responses: [(bytes: ByteBuffer, compressed: Bool)] = []
        var responseReceiver: CheckedContinuation<Result<ByteBuffer?, RPCError>, Never>?
        var lastResponseCompressed = false
        var headerWaiters: [CheckedContinuation<Metadata, Never>] = []
        var status: (Status, Metadata)?
        var statusWaiters: [CheckedContinuation<(Status, Metadata), Never>] = []
        // Lifetime.
        var handler: Task<Void, Never>?
        var timer: Task<Void, Never>?
    }

    init(method: MethodDescriptor, metadata: Metadata, deadline: NIODeadline?, options: CallOptions) {
        self.method = method
        self.requestMetadata = metadata
        self.deadline = deadline
        self.requestEncoding = options.compression
        self.state = Lock(
            State(
                requestDeframer: MessageDeframer(maxMessageSize: 4 * 1024 * 1024, encoding: options.compression),
                responseDeframer: MessageDeframer(maxMessageSize: options.maxResponseMessageSize)
            )
        )
    }

    func attach(_ handler: Task<Void, Never>) {
        let finished = state.withLock { state in
            state.handler = handler
            return state.status != nil
        }
        if finished { handler.cancel() }
    }

    func attachTimer(_ timer: Task<Void, Never>) {
        let finished = state.withLock { state in
            state.timer = timer
            return state.status != nil
        }
        if finished { timer.cancel() }
    }

    // MARK: Client side

    func sendRequest(_ framed: ByteBuffer) throws(RPCError) {
        let (receiver, result):
            (CheckedContinuation<Result<ByteBuffer?, RPCError>, Never>?, Result<ByteBuffer?, RPCError>?) =
                try state.withLock { state throws(RPCError) in
                    guard state.status == nil else { throw RPCError(code: .cancelled, message: "The call has ended.") }
                    guard !state.requestsEnded else {
                        throw RPCError(code: .internal, message: "The request stream is closed.")
                    }
                    state.requestDeframer.append(framed)
                    while let message = try state.requestDeframer.next() {
                        state.requests.append((message, state.requestDeframer.lastMessageWasCompressed))
                    }
                    return Self.takeRequest(&state)
                }
        if let receiver, let result { receiver.resume(returning: result) }
    }

    func closeRequests() {
        let (receiver, result) = state.withLock { state in
            state.requestsEnded = true
            return Self.takeRequest(&state)
        }
        if let receiver, let result { receiver.resume(returning: result) }
    }

    func receiveHeaders() async -> Metadata {
        await withCheckedContinuation { continuation in
            let headers: Metadata? = state.withLock { state in
                if let headers = state.responseHeaders { return headers }
                if state.status != nil { return [:] }
                state.headerWaiters.append(continuation)
                return nil
            }
            if let headers { continuation.resume(returning: headers) }
        }
    }

    func receiveResponse() async throws(RPCError) -> ByteBuffer? {
        let result: Result<ByteBuffer?, RPCError> = await withCheckedContinuation { continuation in
            let ready: Result<ByteBuffer?, RPCError>? = state.withLock { state in
                if let ready = Self.nextResponse(&state) { return ready }
                state.responseReceiver = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return try result.get()
    }

    func receiveStatus() async -> (Status, Metadata) {
        await withCheckedContinuation { continuation in
            let status: (Status, Metadata)? = state.withLock { state in
                if let status = state.status { return status }
                state.statusWaiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    func cancel() {
        end(with: Status(code: .cancelled, message: "The client cancelled the call."), trailers: [:])
    }

    func deadlineExpired() {
        end(with: Status(code: .deadlineExceeded, message: "Deadline exceeded"), trailers: [:])
    }

    // MARK: Server side

    func receiveRequest() async throws(RPCError) -> ByteBuffer? {
        let result: Result<ByteBuffer?, RPCError> = await withCheckedContinuation { continuation in
            let ready: Result<ByteBuffer?, RPCError>? = state.withLock { state in
                if let ready = Self.nextRequest(&state) { return ready }
                state.requestReceiver = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return try result.get()
    }

    func sendHeaders(_ metadata: Metadata, encoding: MessageEncoding?) {
        let waiters: [CheckedContinuation<Metadata, Never>] = state.withLock { state in
            guard state.responseHeaders == nil, state.status == nil else { return [] }
            state.responseHeaders = metadata
            state.responseDeframer.encoding = encoding
            defer { state.headerWaiters = [] }
            return state.headerWaiters
        }
        for waiter in waiters { waiter.resume(returning: metadata) }
    }

    func sendResponse(_ framed: ByteBuffer) throws(RPCError) {
        if state.withLock({ $0.responseHeaders == nil }) { sendHeaders([:], encoding: nil) }
        let (receiver, result):
            (CheckedContinuation<Result<ByteBuffer?, RPCError>, Never>?, Result<ByteBuffer?, RPCError>?) =
                try state.withLock { state throws(RPCError) in
                    guard state.status == nil else { throw RPCError(code: .cancelled, message: "The call has ended.") }
                    state.responseDeframer.append(framed)
                    while let message = try state.responseDeframer.next() {
                        state.responses.append((message, state.responseDeframer.lastMessageWasCompressed))
                    }
                    guard let receiver = state.responseReceiver, let next = Self.nextResponse(&state) else {
                        return (nil, nil)
                    }
                    state.responseReceiver = nil
                    return (receiver, next)
                }
        if let receiver, let result { receiver.resume(returning: result) }
    }

    /// Ends the call with a status, once: whichever of the handler, the client and the deadline comes first.
    func end(with status: Status, trailers: Metadata) {
        let ended = RPCError(code: .cancelled, message: "The call has ended.")
        let woken = state.withLock { state -> Woken? in
            guard state.status == nil else { return nil }
            state.status = (status, trailers)
            var woken = Woken(
                headers: state.headerWaiters,
                statuses: state.statusWaiters,
                handler: state.handler,
                timer: state.timer
            )
            state.headerWaiters = []
            state.statusWaiters = []
            if let receiver = state.responseReceiver, let next = Self.nextResponse(&state) {
                state.responseReceiver = nil
                woken.response = (receiver, next)
            }
            if let receiver = state.requestReceiver {
                state.requestReceiver = nil
                woken.request = (receiver, .failure(ended))
            }
            return woken
        }
        guard let woken else { return }
        woken.timer?.cancel()
        if status.code != .ok { woken.handler?.cancel() }
        for waiter in woken.headers { waiter.resume(returning: [:]) }
        for waiter in woken.statuses { waiter.resume(returning: (status, trailers)) }
        if let response = woken.response { response.0.resume(returning: response.1) }
        if let request = woken.request { request.0.resume(returning: request.1) }
    }

    private struct Woken {
        var headers: [CheckedContinuation<Metadata, Never>]
        var statuses: [CheckedContinuation<(Status, Metadata), Never>]
        var handler: Task<Void, Never>?
        var timer: Task<Void, Never>?
        var response: (CheckedContinuation<Result<ByteBuffer?, RPCError>, Never>, Result<ByteBuffer?, RPCError>)?
        var request: (CheckedContinuation<Result<ByteBuffer?, RPCError>, Never>, Result<ByteBuffer?, RPCError>)?
    }

    // MARK: Queues (under the lock)

    private static func takeRequest(
        _ state: inout State
    ) -> (CheckedContinuation<Result<ByteBuffer?, RPCError>, Never>?, Result<ByteBuffer?, RPCError>?) {
        guard let receiver = state.requestReceiver, let next = nextRequest(&state) else { return (nil, nil) }
        state.requestReceiver = nil
        return (receiver, next)
    }

    private static func nextRequest(_ state: inout State) -> Result<ByteBuffer?, RPCError>? {
        if !state.requests.isEmpty {
            let message = state.requests.removeFirst()
            state.lastRequestCompressed = message.compressed
            return .success(message.bytes)
        }
        if state.status != nil { return .failure(RPCError(code: .cancelled, message: "The call has ended.")) }
        if state.requestsEnded { return .success(nil) }
        return nil
    }

    private static func nextResponse(_ state: inout State) -> Result<ByteBuffer?, RPCError>? {
        if !state.responses.isEmpty {
            let message = state.responses.removeFirst()
            state.lastResponseCompressed = message.compressed
            return .success(message.bytes)
        }
        guard let ended = state.status else { return nil }
        let (status, trailers) = ended
        return status.code == .ok ? .success(nil) : .failure(RPCError(status: status, metadata: trailers))
    }
}
