/// Hears about every call a server serves, for metrics, logs and traces. Called on the call's task;
/// implementations must be cheap and must not block.
public protocol ServerCallObserver: Sendable {
    func callStarted(_ method: MethodDescriptor)
    func callFinished(_ method: MethodDescriptor, code: StatusCode, duration: Duration)
}
