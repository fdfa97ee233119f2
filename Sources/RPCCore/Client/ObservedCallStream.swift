import IsidSync
public import NIOCore

/// A call's stream passed through unchanged, telling `onEnd` once how the call ended: its status code, or nil
/// when the caller cancelled it before a status came. What balancers and client metrics watch calls with.
public final class ObservedCallStream: ClientCallStream {
    private let inner: any ClientCallStream
    private let onEnd: @Sendable (StatusCode?) -> Void
    private let ended = Lock(false)

    public init(_ inner: any ClientCallStream, onEnd: @escaping @Sendable (StatusCode?) -> Void) {
        self.inner = inner
        self.onEnd = onEnd
    }

    public var allocator: ByteBufferAllocator { inner.allocator }
    public var requestEncoding: MessageEncoding? { inner.requestEncoding }
    public var lastReceivedMessageWasCompressed: Bool { inner.lastReceivedMessageWasCompressed }

    public func send(framed message: ByteBuffer) async throws(RPCError) { try await inner.send(framed: message) }
    public func closeSend() { inner.closeSend() }
    public func receiveHeaders() async throws(RPCError) -> Metadata { try await inner.receiveHeaders() }
    public func receivedResponseHeaders() async -> Bool { await inner.receivedResponseHeaders() }
    public func receive() async throws(RPCError) -> ByteBuffer? { try await inner.receive() }

    public func receiveStatus() async -> (Status, Metadata) {
        let result = await inner.receiveStatus()
        end(result.0.code)
        return result
    }

    public func cancel() {
        inner.cancel()
        end(nil)
    }

    private func end(_ code: StatusCode?) {
        let first = ended.withLock { ended in
            defer { ended = true }
            return !ended
        }
        if first { onEnd(code) }
    }
}
