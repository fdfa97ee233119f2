import NIOCore
import Synchronization

/// One attempt of a balanced call: passes everything through to the endpoint's stream and tells the
/// balancer, once, how the call ended (its status, or abandoned when cancelled before one came).
final class TrackedCallStream: ClientCallStream {
    let inner: any ClientCallStream
    let address: EndpointAddress
    private let onEnd: @Sendable (EndpointAddress, StatusCode?) -> Void
    private let ended = Mutex(false)

    init(
        _ inner: any ClientCallStream,
        address: EndpointAddress,
        onEnd: @escaping @Sendable (EndpointAddress, StatusCode?) -> Void
    ) {
        self.inner = inner
        self.address = address
        self.onEnd = onEnd
    }

    var allocator: ByteBufferAllocator { inner.allocator }
    var requestEncoding: MessageEncoding? { inner.requestEncoding }
    var lastReceivedMessageWasCompressed: Bool { inner.lastReceivedMessageWasCompressed }

    func send(framed message: ByteBuffer) async throws(RPCError) { try await inner.send(framed: message) }
    func closeSend() { inner.closeSend() }
    func receiveHeaders() async throws(RPCError) -> Metadata { try await inner.receiveHeaders() }
    func receivedResponseHeaders() async -> Bool { await inner.receivedResponseHeaders() }
    func receive() async throws(RPCError) -> ByteBuffer? { try await inner.receive() }

    func receiveStatus() async -> (Status, Metadata) {
        let result = await inner.receiveStatus()
        end(result.0.code)
        return result
    }

    func cancel() {
        inner.cancel()
        end(nil)
    }

    private func end(_ code: StatusCode?) {
        let first = ended.withLock { ended in
            defer { ended = true }
            return !ended
        }
        if first { onEnd(address, code) }
    }
}
