import IsidSync

/// Answers made from a store's data, kept while its change log's head stays where it was when they were made.
///
/// For reads that go over many records to make one answer (a portfolio summary, a compliance report) and
/// that clients repeat between writes. It holds one revision at a time: an answer made at a newer head
/// empties it. Correct only for answers made from data that every write records in the change log, since the
/// head names the data; anything else an answer depends on must be applied after the cache, or be part of
/// the key.
public final class RevisionCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// Keys are the clients' to choose; past this many for one revision, answers are made and not kept.
    public let limit: Int
    private let state: Lock<(revision: Int64, answers: [Key: Value])>

    public init(limit: Int) {
        self.limit = limit
        self.state = Lock((revision: .min, answers: [:]))
    }

    /// The answer for `key` at `revision`, made by `make` unless known. Read `revision` (the change log's head)
    /// before `make` reads anything, so that an answer is never filed under a revision later than its data.
    public func answer(
        for key: Key,
        at revision: Int64,
        make: () async throws -> Value
    ) async throws -> Value {
        if let known = state.withLock({ $0.revision == revision ? $0.answers[key] : nil }) { return known }
        let answer = try await make()
        state.withLock { state in
            if revision > state.revision { state = (revision, [:]) }
            guard revision == state.revision, state.answers.count < limit else { return }
            state.answers[key] = answer
        }
        return answer
    }
}
