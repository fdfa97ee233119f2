import IsidSync
import NIOCore
import RPCCore

/// The client's end of an in-process call.
final class InProcessClientStream: ClientCallStream {
    let call: InProcessCall

    init(call: InProcessCall) { self.call = call }

    var allocator: ByteBufferAllocator { ByteBufferAllocator() }
    var requestEncoding: MessageEncoding? { call.requestEncoding }
    var lastReceivedMessageWasCompressed: Bool { call.state.withLock { $0.lastResponseCompressed } }

    func send(framed message: ByteBuffer) async throws(RPCError) { try call.sendRequest(message) }
    func closeSend() { call.closeRequests() }
    func receiveHeaders() async throws(RPCError) -> Metadata { await call.receiveHeaders() }
    func receivedResponseHeaders() async -> Bool {
        _ = await call.receiveHeaders()
        return call.state.withLock { $0.responseHeaders != nil }
    }
    func receive() async throws(RPCError) -> ByteBuffer? { try await call.receiveResponse() }
    func receiveStatus() async -> (Status, Metadata) { await call.receiveStatus() }
    func cancel() { call.cancel() }
}

/// The server's end of an in-process call.
final class InProcessServerStream: ServerCallStream {
    let call: InProcessCall

    init(call: InProcessCall) { self.call = call }

    var method: MethodDescriptor { call.method }
    var requestMetadata: Metadata { call.requestMetadata }
    var deadline: NIODeadline? { call.deadline }
    var peer: String { "in-process" }
    var acceptedResponseEncodings: [MessageEncoding] { MessageEncoding.supported }
    var allocator: ByteBufferAllocator { ByteBufferAllocator() }
    var lastReceivedMessageWasCompressed: Bool { call.state.withLock { $0.lastRequestCompressed } }

    func receive() async throws(RPCError) -> ByteBuffer? { try await call.receiveRequest() }
    func sendHeaders(_ metadata: Metadata, encoding: MessageEncoding?) {
        call.sendHeaders(metadata, encoding: encoding)
    }
    func send(framed message: ByteBuffer) async throws(RPCError) { try call.sendResponse(message) }
    func finish(status: Status, trailers: Metadata) { call.end(with: status, trailers: trailers) }
}
