// Public: the inlinable `withLock` below calls its annotations, which clients compile into their own code.
public import CThreadSanitizer
public import Synchronization

/// A value behind a lock: the standard library's `Mutex`, with the lock's ordering told to ThreadSanitizer.
///
/// Why not `Mutex` itself: on Linux a contended `Mutex` is handed from thread to thread inside the kernel (a
/// priority-inheritance futex), where ThreadSanitizer cannot see it. Two threads that take turns under a contended
/// lock then look unsynchronised, and the sanitizer reports a race that is not there (CI saw one in the catch-all
/// route's method table). Here every critical section starts with an acquire and ends with a release on the lock's
/// address, which the sanitizer does see. In a binary built without the sanitizer those are a test and a branch
/// each; the lock is the same `Mutex` underneath, stored inline, with nothing allocated.
///
/// Use it wherever `Mutex` would do (`scripts/lint.sh` refuses `Mutex` outside this file).
public struct Lock<Value: ~Copyable>: ~Copyable, Sendable {
    @usableFromInline
    let mutex: Mutex<Value>

    @inlinable
    public init(_ initialValue: consuming sending Value) {
        mutex = Mutex(initialValue)
    }

    /// Runs `body` with the value, holding the lock.
    @inlinable
    public borrowing func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        // The mutex's address names it to the sanitizer; the integer is an identity, never dereferenced. It is
        // taken outside the critical section because taking it from the value inside would itself be an access
        // the sanitizer checks before the acquire.
        let id = withUnsafePointer(to: mutex) { UInt(bitPattern: $0) }
        return try mutex.withLock { (value: inout sending Value) throws(E) -> sending Result in
            isid_tsan_acquire(id)
            defer { isid_tsan_release(id) }
            return try body(&value)
        }
    }
}

/// Whether this binary was built with ThreadSanitizer (so `Lock`'s annotations are live).
public var threadSanitizerIsActive: Bool { isid_tsan_is_active() != 0 }
