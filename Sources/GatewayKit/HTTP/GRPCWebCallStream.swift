import NIOCore
import NIOHTTP1
import RPCCore
import Synchronization

/// One gRPC-Web call as the RPC core sees it: the request's messages come from the HTTP body the connection
/// read whole; response headers become HTTP headers, messages go out as body chunks, and the status and
/// trailers as the closing trailers frame.
final class GRPCWebCallStream: ServerCallStream {
    let method: MethodDescriptor
    let requestMetadata: Metadata
    let deadline: NIODeadline?
    let peer: String
    let acceptedResponseEncodings: [MessageEncoding] = []
    let allocator = ByteBufferAllocator()

    private let writer: HTTPResponseWriter
    private let responseHeaders: HTTPHeaders
    private let isText: Bool
    private let state: Mutex<State>

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
        body: ByteBuffer,
        maxMessageSize: Int,
        writer: HTTPResponseWriter,
        responseHeaders: HTTPHeaders,
        isText: Bool
    ) {
        self.method = method
        self.requestMetadata = requestMetadata
        self.deadline = deadline
        self.peer = peer
        self.writer = writer
        self.responseHeaders = responseHeaders
        self.isText = isText
        self.state = Mutex(State(deframer: MessageDeframer(maxMessageSize: maxMessageSize), body: body))
    }

    var lastReceivedMessageWasCompressed: Bool { false }

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
        do {
            if !writer.headWritten { try await writer.writeHead(.ok, headers: httpHeaders()) }
            try await writer.writeBody(isText ? GRPCWebFormat.encodeText(message) : message)
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

    /// Waits for the call's status, then writes what is left: the head if no message went out, and the
    /// trailers frame.
    func complete() async throws {
        let (status, trailers) = await withCheckedContinuation { continuation in
            let finished = state.withLock { state -> (Status, Metadata)? in
                if let finished = state.finished { return finished }
                state.finishWaiter = continuation
                return nil
            }
            if let finished { continuation.resume(returning: finished) }
        }
        if !writer.headWritten { try await writer.writeHead(.ok, headers: httpHeaders()) }
        let frame = GRPCWebFormat.trailersFrame(status: status, trailers: trailers)
        try await writer.writeBody(isText ? GRPCWebFormat.encodeText(frame) : frame)
        try await writer.end()
    }

    private func httpHeaders() -> HTTPHeaders {
        var headers = responseHeaders
        for entry in state.withLock({ $0.headers }) {
            switch entry.value {
            case .string(let value): headers.add(name: entry.key, value: value)
            case .binary(let bytes): headers.add(name: entry.key, value: Base64.encode(bytes, padded: true))
            }
        }
        return headers
    }
}
