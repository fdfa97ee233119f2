import Synchronization

/// Tells watchers in this process that the change log grew, so a watch stream wakes at once instead of
/// polling. It carries only the newest committed revision; watchers read what changed from the change log
/// itself, which is what makes a resumed stream miss nothing and repeat nothing.
public final class ChangeNotifier: Sendable {
    private struct State {
        var subscribers: [Int: AsyncStream<Int64>.Continuation] = [:]
        var nextID = 0
        var isShutDown = false
    }

    private let state = Mutex(State())

    public init() {}

    /// A stream of "the log now reaches revision N" signals, newest only (a slow watcher skips to the
    /// latest). It finishes when the notifier shuts down or the subscribing task is cancelled.
    public func subscribe() -> AsyncStream<Int64> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int64.self, bufferingPolicy: .bufferingNewest(1))
        let id: Int? = state.withLock { state in
            if state.isShutDown { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Called by the writer after a transaction that appended to the change log has committed.
    public func publish(revision: Int64) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers { subscriber.yield(revision) }
    }

    /// Ends every subscription, now and for later subscribers: the server is draining.
    public func shutDown() {
        let subscribers = state.withLock { state in
            state.isShutDown = true
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }

    public var isShutDown: Bool { state.withLock { $0.isShutDown } }
}
