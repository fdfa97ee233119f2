/// Hears about every call a server serves, for metrics, logs and traces.
///
/// The server asks once per registered method, when it starts, for that method's ``MethodCallObserver``;
/// each call then reaches its method's observer directly, with nothing looked up on the call's path.
public protocol ServerCallObserver: Sendable {
    func methodObserver(for method: MethodDescriptor) -> any MethodCallObserver
}

/// Hears the calls to one method. Called on the call's task; implementations must be cheap and must not
/// block.
public protocol MethodCallObserver: Sendable {
    func callStarted()
    func callFinished(code: StatusCode, duration: Duration)
}
