import IsidStorage
import IsidSync
import Testing

/// Counts the answers made, so that a test can tell a kept answer from a new one.
private final class Maker: Sendable {
    private let made = Lock(0)

    var count: Int { made.withLock { $0 } }

    func make(_ answer: String) -> String {
        made.withLock { $0 += 1 }
        return answer
    }
}

private struct Refused: Error {}

@Suite("RevisionCache")
struct RevisionCacheTests {
    @Test func anAnswerIsMadeOncePerKeyAndRevision() async throws {
        let cache = RevisionCache<String, String>(limit: 4)
        let maker = Maker()
        for _ in 0..<3 {
            #expect(try await cache.answer(for: "a", at: 7) { maker.make("a@7") } == "a@7")
        }
        #expect(try await cache.answer(for: "b", at: 7) { maker.make("b@7") } == "b@7")
        #expect(maker.count == 2)
    }

    @Test func aNewerRevisionMakesEveryAnswerAnew() async throws {
        let cache = RevisionCache<String, String>(limit: 4)
        let maker = Maker()
        _ = try await cache.answer(for: "a", at: 7) { maker.make("a@7") }
        #expect(try await cache.answer(for: "a", at: 8) { maker.make("a@8") } == "a@8")
        #expect(try await cache.answer(for: "a", at: 8) { maker.make("again") } == "a@8")
        #expect(maker.count == 2)
    }

    @Test func anAnswerMadeAtAnOlderRevisionIsServedButNotKept() async throws {
        let cache = RevisionCache<String, String>(limit: 4)
        let maker = Maker()
        _ = try await cache.answer(for: "a", at: 8) { maker.make("a@8") }
        // A call that read the head before a write and finished after another call saw the write.
        #expect(try await cache.answer(for: "a", at: 7) { maker.make("a@7") } == "a@7")
        #expect(try await cache.answer(for: "a", at: 8) { maker.make("again") } == "a@8")
        #expect(try await cache.answer(for: "a", at: 7) { maker.make("a@7 again") } == "a@7 again")
        #expect(maker.count == 3)
    }

    @Test func pastTheLimitAnswersAreMadeAndNotKept() async throws {
        let cache = RevisionCache<Int, String>(limit: 2)
        let maker = Maker()
        for key in 0..<3 { _ = try await cache.answer(for: key, at: 1) { maker.make("\(key)") } }
        for key in 0..<3 { _ = try await cache.answer(for: key, at: 1) { maker.make("\(key)") } }
        #expect(maker.count == 4)  // keys 0 and 1 once each, key 2 both times
    }

    @Test func aFailedAnswerIsNotKept() async throws {
        let cache = RevisionCache<String, String>(limit: 4)
        let maker = Maker()
        await #expect(throws: Refused.self) {
            _ = try await cache.answer(for: "a", at: 1) { () throws -> String in throw Refused() }
        }
        #expect(try await cache.answer(for: "a", at: 1) { maker.make("a@1") } == "a@1")
        #expect(maker.count == 1)
    }
}
