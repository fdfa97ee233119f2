/// The continuation a stream parks its caller's task in while it waits for the peer or for flow control.
///
/// Debug builds check that each is resumed exactly once (`CheckedContinuation`). Release builds use
/// `UnsafeContinuation` and skip the check, which allocates an object and does atomic work per suspension
/// (eight per call proxied by the gateway): every resume is an action of a stream's state machine, on its
/// event loop, and the debug builds of the tests, ThreadSanitizer's included, keep the check on those paths.
#if DEBUG
typealias StreamContinuation<Value> = CheckedContinuation<Value, Never>

@inline(__always)
func withStreamContinuation<Value>(_ body: (StreamContinuation<Value>) -> Void) async -> Value {
    await withCheckedContinuation(body)
}
#else
typealias StreamContinuation<Value> = UnsafeContinuation<Value, Never>

@inline(__always)
func withStreamContinuation<Value>(_ body: (StreamContinuation<Value>) -> Void) async -> Value {
    await withUnsafeContinuation(body)
}
#endif
