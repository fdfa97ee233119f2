import NIOCore

/// HTTP/2 keepalive: a PING every `interval`; no acknowledgement within `timeout` means the peer or
/// the path is gone, and the connection is closed so its calls fail fast instead of hanging.
public struct KeepalivePolicy: Sendable, Hashable {
    public var interval: Duration
    public var timeout: Duration

    public init(interval: Duration, timeout: Duration = .seconds(20)) {
        self.interval = interval
        self.timeout = timeout
    }
}

/// Drives a ``KeepalivePolicy`` for one connection, on its event loop.
final class KeepaliveTimer {
    private let policy: KeepalivePolicy
    private let eventLoop: any EventLoop
    private var ticker: RepeatedTask?
    private var deadline: Scheduled<Void>?
    private var outstanding: UInt64?
    private var counter: UInt64 = 0

    init(policy: KeepalivePolicy, eventLoop: any EventLoop) {
        self.policy = policy
        self.eventLoop = eventLoop
    }

    /// Starts pinging: `sendPing` submits a PING with the given payload, `onTimeout` closes.
    func start(sendPing: @escaping (UInt64) -> Void, onTimeout: @escaping () -> Void) {
        let interval = TimeAmount(policy.interval)
        let timeout = TimeAmount(policy.timeout)
        let bound = NIOLoopBound((self, sendPing, onTimeout), eventLoop: eventLoop)
        ticker = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            let (timer, sendPing, _) = bound.value
            guard timer.outstanding == nil else { return }
            timer.counter &+= 1
            timer.outstanding = timer.counter
            sendPing(timer.counter)
            timer.deadline = timer.eventLoop.scheduleTask(in: timeout) {
                let (timer, _, onTimeout) = bound.value
                if timer.outstanding != nil { onTimeout() }
            }
        }
    }

    /// A PING acknowledgement arrived.
    func acknowledged(_ payload: UInt64) {
        guard payload == outstanding else { return }
        outstanding = nil
        deadline?.cancel()
        deadline = nil
    }

    func stop() {
        ticker?.cancel()
        ticker = nil
        deadline?.cancel()
        deadline = nil
    }
}
