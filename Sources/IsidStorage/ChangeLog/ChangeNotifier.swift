import IsidSync

/// Tells watchers that the change log grew. Commits of this process wake them at once (the writer
/// publishes); commits of another process on the same database (a second replica) are found by reading the
/// log's head every `pollInterval` while anyone watches, one read per notifier however many watch. It carries
/// only the newest committed revision; watchers read what changed from the change log itself, which is what
/// makes a resumed stream miss nothing and repeat nothing.
public final class ChangeNotifier: Sendable {
    private struct State {
        var subscribers: [Int: AsyncStream<Int64>.Continuation] = [:]
        var nextID = 0
        var isShutDown = false
        /// The newest revision published, by this process's commits or by the poll.
        var published: Int64 = 0
        var polling = false
    }

    private let state = Lock(State())
    public let pollInterval: Duration

    public init(pollInterval: Duration = .seconds(1)) {
        self.pollInterval = pollInterval
    }

    /// Like ``subscribe()``, and reads `head` (the log's newest revision) every ``pollInterval`` while anyone
    /// is subscribed, publishing it when another process's commits moved it.
    public func subscribe(polling head: @escaping @Sendable () async throws -> Int64) -> AsyncStream<Int64> {
        let stream = subscribe()
        let start = state.withLock { state -> Bool in
            guard !state.polling, !state.isShutDown, !state.subscribers.isEmpty else { return false }
            state.polling = true
            return true
        }
        if start { Task { await self.poll(head) } }
        return stream
    }

    private func poll(_ head: @Sendable () async throws -> Int64) async {
        while true {
            try? await Task.sleep(for: pollInterval)
            let watched = state.withLock { state -> Bool in
                if state.subscribers.isEmpty || state.isShutDown { state.polling = false }
                return state.polling
            }
            guard watched else { return }
            // A failed read (the database briefly away) is tried again at the next tick.
            guard let revision = try? await head() else { continue }
            if state.withLock({ revision > $0.published }) { publish(revision: revision) }
        }
    }

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
        let subscribers = state.withLock { state in
            state.published = max(state.published, revision)
            return Array(state.subscribers.values)
        }
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
