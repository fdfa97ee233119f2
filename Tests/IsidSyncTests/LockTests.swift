import Dispatch
import IsidSync
import Testing

@Suite("Lock")
struct LockTests {
    /// Threads that take turns under a contended lock hand it over in the kernel. Built with ThreadSanitizer (CI's
    /// step 9 runs this suite so), a handoff the sanitizer cannot see makes it report these appends as a race and
    /// halt; built without, the count shows that no append was lost.
    @Test func contendedCriticalSectionsAreOrdered() {
        let threads = 4
        let rounds = 50_000
        let state = Lock((total: 0, recent: [Int]()))
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for round in 0..<rounds {
                state.withLock { state in
                    state.total += 1
                    state.recent.append(thread * rounds + round)
                    // Dropping the storage now and then makes the next append allocate, so that a missed
                    // ordering is a use of memory another thread freed, not only a stale count.
                    if state.recent.count == 1_000 { state.recent = [] }
                }
            }
        }
        #expect(state.withLock { $0.total } == threads * rounds)
    }

    @Test func withLockReturnsWhatItsBodyReturns() {
        let lock = Lock(41)
        let result = lock.withLock { value -> Int in
            value += 1
            return value * 2
        }
        #expect(result == 84)
        #expect(lock.withLock { $0 } == 42)
    }

    @Test func withLockRethrowsItsBodysTypedError() {
        struct Refused: Error, Equatable {}
        let lock = Lock(0)
        #expect(throws: Refused.self) {
            try lock.withLock { (_: inout Int) throws(Refused) in throw Refused() }
        }
        #expect(lock.withLock { $0 } == 0)
    }
}
