public import IsidAuth
import IsidSync

/// Answers a repeated conditional GET (`If-None-Match`) with 304 without calling the service, when the
/// gateway can prove nothing changed: it remembers, per request and caller, the ETag it sent and where every
/// service it routes stood (``RevisionFollower``) when that call began. While every position is the same,
/// the service would answer the same bytes, so the ETag still holds.
///
/// Every routed service's position counts, not only the called one's, because answers join across services
/// (programme results carry IndicatorService's observations). An entry also expires after `maxAge`, for
/// answers that depend on the clock rather than on data. While a follower's stream is down, nothing is
/// remembered or answered from memory: every conditional GET calls through.
public final class RevalidationCache: Sendable {
    /// What an answer depends on: the method, the request's bytes and who asked (answers differ by scope).
    public struct Key: Hashable, Sendable {
        public let path: String
        public let request: [UInt8]
        public let caller: Identity?

        public init(path: String, request: [UInt8], caller: Identity?) {
            self.path = path
            self.request = request
            self.caller = caller
        }
    }

    /// Where the followed services stood, in the followers' order.
    public typealias Positions = [RevisionFollower.Position]

    private struct Entry {
        let etag: String
        let positions: Positions
        let storedAt: ContinuousClock.Instant
    }

    public let maxAge: Duration
    public let capacity: Int
    /// Where the services stand now; nil while any is not known (then nothing can be proven).
    public let positions: @Sendable () -> Positions?
    private let clock = ContinuousClock()
    private let entries = Lock<[Key: Entry]>([:])

    public init(positions: @escaping @Sendable () -> Positions?, maxAge: Duration, capacity: Int = 10_000) {
        self.positions = positions
        self.maxAge = maxAge
        self.capacity = capacity
    }

    /// A cache that follows `followers`: positions known only while every stream is open.
    public convenience init(followers: [RevisionFollower], maxAge: Duration, capacity: Int = 10_000) {
        self.init(
            positions: {
                var positions: Positions = []
                positions.reserveCapacity(followers.count)
                for follower in followers {
                    guard let position = follower.position else { return nil }
                    positions.append(position)
                }
                return positions
            },
            maxAge: maxAge,
            capacity: capacity
        )
    }

    /// Notes that the answer to `key`, made from the data as it stood at `positions` (taken before the call
    /// began, so a change during the call leaves the entry already stale), had `etag`.
    public func remember(_ key: Key, etag: String, positions: Positions) {
        let entry = Entry(etag: etag, positions: positions, storedAt: clock.now)
        entries.withLock { entries in
            if entries.count >= capacity, entries[key] == nil {
                // Stale entries go first; if every entry is current, the oldest half goes.
                entries = entries.filter { $0.value.positions == positions }
                if entries.count >= capacity {
                    let cutoff = entries.values.map(\.storedAt).sorted()[entries.count / 2]
                    entries = entries.filter { $0.value.storedAt > cutoff }
                }
            }
            entries[key] = entry
        }
    }

    /// The ETag `key` was last answered with, if one of `candidates` names it and nothing has moved since.
    public func unchangedETag(_ key: Key, candidates: some Sequence<Substring>) -> String? {
        guard let now = positions() else { return nil }
        let entry = entries.withLock { $0[key] }
        guard let entry, entry.positions == now, clock.now - entry.storedAt < maxAge else { return nil }
        return candidates.contains { $0 == "*" || $0 == entry.etag } ? entry.etag : nil
    }

    /// How many answers are remembered.
    public var count: Int { entries.withLock { $0.count } }
}
