import IsidSync
import NIOCore

/// A unary or server-streaming call to a method declared free of side effects (or idempotent) that is tried
/// again on another endpoint when an attempt ends UNAVAILABLE before any response reached the caller.
///
/// It keeps the request messages sent (up to the policy's buffer limit) to replay them. The call commits
/// (no more retries) as soon as response headers arrive, the buffer overflows, or an attempt ends any other
/// way; from then on it is the attempt's stream. The receive side (headers, messages, status) is used by one
/// task at a time, as every caller of a ``ClientCallStream`` does; sends may come from another task.
final class RetryingCallStream: ClientCallStream {
    /// Opens the next attempt, or nil when none is allowed (attempts, budget or deadline spent).
    typealias Reopen = @Sendable () async -> (any ClientCallStream)?

    private struct State {
        var current: any ClientCallStream
        var sent: [ByteBuffer] = []
        var sentBytes = 0
        var overflowed = false
        var halfClosed = false
        var committed = false
        var cancelled = false
        var halfCloseWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Lock<State>
    private let bufferLimit: Int
    private let reopen: Reopen
    let allocator: ByteBufferAllocator
    let requestEncoding: MessageEncoding?

    init(first: any ClientCallStream, bufferLimit: Int, reopen: @escaping Reopen) {
        self.state = Lock(State(current: first))
        self.bufferLimit = bufferLimit
        self.reopen = reopen
        self.allocator = first.allocator
        self.requestEncoding = first.requestEncoding
    }

    var lastReceivedMessageWasCompressed: Bool { state.withLock { $0.current.lastReceivedMessageWasCompressed } }

    func send(framed message: ByteBuffer) async throws(RPCError) {
        let current = state.withLock { state -> any ClientCallStream in
            if !state.committed, !state.overflowed {
                state.sentBytes += message.readableBytes
                if state.sentBytes > bufferLimit {
                    state.overflowed = true
                    state.sent.removeAll()
                } else {
                    state.sent.append(message)
                }
            }
            return state.current
        }
        try await current.send(framed: message)
    }

    func closeSend() {
        let (current, waiters) = state.withLock { state in
            state.halfClosed = true
            defer { state.halfCloseWaiters.removeAll() }
            return (state.current, state.halfCloseWaiters)
        }
        current.closeSend()
        for waiter in waiters { waiter.resume() }
    }

    func receiveHeaders() async throws(RPCError) -> Metadata {
        try await settled().receiveHeaders()
    }

    func receivedResponseHeaders() async -> Bool {
        await settled().receivedResponseHeaders()
    }

    func receive() async throws(RPCError) -> ByteBuffer? {
        try await settled().receive()
    }

    func receiveStatus() async -> (Status, Metadata) {
        await settled().receiveStatus()
    }

    func cancel() {
        let (current, waiters) = state.withLock { state in
            state.cancelled = true
            state.committed = true
            defer { state.halfCloseWaiters.removeAll() }
            return (state.current, state.halfCloseWaiters)
        }
        current.cancel()
        for waiter in waiters { waiter.resume() }
    }

    /// The attempt whose answer the caller gets: waits for the current one to answer, and while attempts end
    /// UNAVAILABLE before answering, replays the request on the next.
    private func settled() async -> any ClientCallStream {
        while true {
            let (current, committed) = state.withLock { ($0.current, $0.committed) }
            if committed { return current }
            if await current.receivedResponseHeaders() { return commit() }
            // Ended without headers: a Trailers-Only answer or a failed stream.
            let (status, _) = await current.receiveStatus()
            guard status.code == .unavailable else { return commit() }
            // Replay only the whole request: wait until the caller has sent all of it.
            await waitForHalfClose()
            let replay = state.withLock { state -> [ByteBuffer]? in
                state.cancelled || state.overflowed || state.committed ? nil : state.sent
            }
            guard let replay, let next = await reopen() else { return commit() }
            for message in replay {
                do { try await next.send(framed: message) } catch { break }
            }
            next.closeSend()
            let cancelled = state.withLock { state in
                state.current = next
                return state.cancelled
            }
            if cancelled { next.cancel() }
        }
    }

    private func commit() -> any ClientCallStream {
        state.withLock { state in
            state.committed = true
            state.sent.removeAll()
            return state.current
        }
    }

    private func waitForHalfClose() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if state.halfClosed || state.cancelled { return true }
                state.halfCloseWaiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
