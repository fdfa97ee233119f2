import IsidSync
import NIOCore
import RPCCore

/// One call that arrived over HTTP/1.1 (gRPC-Web, or JSON transcoded to binary), as the RPC core sees it: the
/// request's messages come from the body the connection read whole; each response message goes to
/// `onMessage` (framed, with the response headers so far) as the handler sends it; the status and trailers
/// wait for ``status()``.
final class RouterCallStream: ServerCallStream {
    typealias MessageSink = @Sendable (_ framed: ByteBuffer, _ headers: Metadata) async throws -> Void

    let method: MethodDescriptor
    let requestMetadata: Metadata
    let deadline: NIODeadline?
    let peer: String
    let acceptedResponseEncodings: [MessageEncoding] = []
    let allocator = ByteBufferAllocator()

    private let onMessage: MessageSink
    private let state: Lock<State>

    private struct State {
        var deframer: MessageDeframer
        var body: ByteBuffer?
        var headers = Metadata()
        var finished: (Status, Metadata)?
        var finishWaiter: CheckedContinuation<(Status, Metadata), Never>?
    }

    init(
        method: MethodDescriptor,
        requestMetadata: Metadata,
        deadline: NIODeadline?,
        peer: String,
        framedRequest: ByteBuffer,
        maxMessageSize: Int,
        onMessage: @escaping MessageSink
    ) {
        self.method = method
        self.requestMetadata = requestMetadata
        self.deadline = deadline
        self.peer = peer
        self.onMessage = onMessage
        self.state = Lock(State(deframer: MessageDeframer(maxMessageSize: maxMessageSize), body: framedRequest))
    }

    var lastReceivedMessageWasCompressed: Bool { false }

    /// The response headers the handler has sent so far.
    var responseHeaders: Metadata { state.withLock { $0.headers } }

    func receive() async throws(RPCError) -> ByteBuffer? {
        try state.withLock { (state) throws(RPCError) -> ByteBuffer? in
            if let body = state.body {
                state.deframer.append(body)
                state.body = nil
            }
            if let message = try state.deframer.next() { return message }
            try state.deframer.finish()
            return nil
        }
    }

    func sendHeaders(_ metadata: Metadata, encoding: MessageEncoding?) {
        state.withLock { $0.headers.add(contentsOf: metadata) }
    }

    func send(framed message: ByteBuffer) async throws(RPCError) {
        guard state.withLock({ $0.finished == nil }) else {
            throw RPCError(code: .cancelled, message: "The call has ended.")
        }
        do {
            try await onMessage(message, responseHeaders)
        } catch {
            throw RPCError(code: .unavailable, message: "The client went away: \(error)")
        }
    }

    func finish(status: Status, trailers: Metadata) {
        let waiter = state.withLock { state -> CheckedContinuation<(Status, Metadata), Never>? in
            guard state.finished == nil else { return nil }
            state.finished = (status, trailers)
            defer { state.finishWaiter = nil }
            return state.finishWaiter
        }
        waiter?.resume(returning: (status, trailers))
    }

    /// The call's status and trailers, once it has ended.
    func status() async -> (Status, Metadata) {
        await withCheckedContinuation { continuation in
            let finished = state.withLock { state -> (Status, Metadata)? in
                if let finished = state.finished { return finished }
                state.finishWaiter = continuation
                return nil
            }
            if let finished { continuation.resume(returning: finished) }
        }
    }

    /// Serves the call with `method` until it ends or its deadline passes (then DEADLINE_EXCEEDED, and the
    /// handler is cancelled); returns the status and trailers.
    func run(_ serverMethod: ServerMethod) async -> (Status, Metadata) {
        let call = Task { await serverMethod.serve(self) }
        let timer = deadline.map { deadline in
            Task {
                try await Task.sleep(for: .nanoseconds((deadline - .now()).nanoseconds))
                self.finish(status: Status(code: .deadlineExceeded, message: "Deadline exceeded."), trailers: [:])
                call.cancel()
            }
        }
        let result = await withTaskCancellationHandler {
            await status()
        } onCancel: {
            call.cancel()
        }
        timer?.cancel()
        return result
    }
}

extension ByteBuffer {
    /// A gRPC length-prefixed frame around `payload`, uncompressed.
    static func grpcFrame(_ payload: some Collection<UInt8>) -> ByteBuffer {
        var frame = ByteBuffer()
        frame.reserveCapacity(5 + payload.count)
        frame.writeInteger(UInt8(0))
        frame.writeInteger(UInt32(payload.count))
        frame.writeBytes(payload)
        return frame
    }
}
