import NIOCore

/// A token bucket: holds up to `limit.requests` tokens, refilled continuously at `requests` per `period`; a
/// call takes one. Kept in integer credit (one token is `period` nanoseconds of credit, and every nanosecond
/// adds `requests`), so refills are exact and the tests are deterministic. Times are passed in.
struct TokenBucket: Sendable {
    let limit: RateLimit
    private let tokenCredit: Int64
    private let capacity: Int64
    private var credit: Int64
    private var updated: NIODeadline

    init(limit: RateLimit, now: NIODeadline) {
        self.limit = limit
        self.tokenCredit = limit.periodNanoseconds
        self.capacity = limit.periodNanoseconds * Int64(limit.requests)
        self.credit = capacity
        self.updated = now
    }

    mutating func refill(now: NIODeadline) {
        // Never more than a full bucket's worth, so the product cannot overflow.
        let elapsed = min(max(0, (now - updated).nanoseconds), limit.periodNanoseconds)
        credit = min(capacity, credit + elapsed * Int64(limit.requests))
        updated = now
    }

    /// Whether a token is there to take (after refilling).
    var hasToken: Bool { credit >= tokenCredit }

    mutating func take() { credit -= tokenCredit }

    /// Whole tokens left.
    var remaining: Int { Int(credit / tokenCredit) }

    /// Seconds until the next token (0 when one is there), rounded up.
    var secondsUntilToken: Int64 { seconds(toCover: tokenCredit - credit) }

    /// Seconds until the bucket is full again, rounded up: what the RateLimit header's `reset` says.
    var secondsUntilFull: Int64 { seconds(toCover: capacity - credit) }

    /// Whether the bucket is full: it may be forgotten, since a new one starts full.
    var isFull: Bool { credit >= capacity }

    private func seconds(toCover missing: Int64) -> Int64 {
        guard missing > 0 else { return 0 }
        let nanoseconds = (missing + Int64(limit.requests) - 1) / Int64(limit.requests)
        return (nanoseconds + 999_999_999) / 1_000_000_000
    }
}
