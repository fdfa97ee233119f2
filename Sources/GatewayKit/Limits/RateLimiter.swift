import IsidSync
public import NIOCore

/// Applies the configured rate limits per caller: each caller (an API key, or an anonymous caller's address)
/// has its own buckets for the rule that matches a call. A call is let through only when every limit of the
/// rule has a token, and then takes one from each; a refused call takes none.
public final class RateLimiter: Sendable {
    /// What a caller learns of the limits that applied to a call, allowed or not.
    public struct Decision: Sendable, Equatable {
        public let allowed: Bool
        /// The limits of the rule that applied, in the configured order; empty when none did.
        public let limits: [RateLimit]
        /// Tokens left under the most constraining limit.
        public let remaining: Int
        /// The most constraining limit: the one with fewest tokens left.
        public let limit: RateLimit?
        /// Seconds until that limit's bucket is full again.
        public let reset: Int64
        /// When refused: seconds until a call would be let through.
        public let retryAfter: Int64

        static let unlimited = Decision(allowed: true, limits: [], remaining: 0, limit: nil, reset: 0, retryAfter: 0)
    }

    public let rules: [RateLimitRule]
    /// Callers' buckets kept at most; beyond it, full buckets (which a new caller's would equal) are dropped.
    public let maximumTrackedBuckets: Int
    private let buckets = Lock<[String: [TokenBucket]]>([:])

    public init(rules: [RateLimitRule], maximumTrackedBuckets: Int = 100_000) {
        self.rules = rules
        self.maximumTrackedBuckets = maximumTrackedBuckets
    }

    /// How many callers' buckets are kept now.
    public var trackedBuckets: Int { buckets.withLock { $0.count } }

    /// The rule for a call: the most specific one matching it.
    public func rule(service: String, method: String) -> RateLimitRule? {
        rules.filter { $0.matches(service: service, method: method) }.max { $0.specificity < $1.specificity }
    }

    /// Decides a call by `caller` to `service`/`method` at `now`, taking tokens if it is allowed.
    public func admit(caller: String, service: String, method: String, now: NIODeadline = .now()) -> Decision {
        guard let rule = rule(service: service, method: method) else { return .unlimited }
        let key = caller + "\u{0}" + rule.key
        return buckets.withLock { buckets in
            var callerBuckets = buckets[key] ?? rule.limits.map { TokenBucket(limit: $0, now: now) }
            for index in callerBuckets.indices { callerBuckets[index].refill(now: now) }
            let allowed = callerBuckets.allSatisfy(\.hasToken)
            if allowed {
                for index in callerBuckets.indices { callerBuckets[index].take() }
            }
            if buckets[key] == nil, buckets.count >= maximumTrackedBuckets {
                Self.prune(&buckets, now: now, maximum: maximumTrackedBuckets)
            }
            buckets[key] = callerBuckets
            let tightest = callerBuckets.min { $0.remaining < $1.remaining }!
            return Decision(
                allowed: allowed,
                limits: rule.limits,
                remaining: tightest.remaining,
                limit: tightest.limit,
                reset: tightest.secondsUntilFull,
                retryAfter: allowed ? 0 : callerBuckets.map(\.secondsUntilToken).max() ?? 1
            )
        }
    }

    /// Drops buckets that have filled up again; if that frees too little, drops half of all (their callers
    /// start again with full buckets, which errs toward letting calls through).
    private static func prune(_ buckets: inout [String: [TokenBucket]], now: NIODeadline, maximum: Int) {
        buckets = buckets.filter { _, value in
            var refilled = value
            for index in refilled.indices { refilled[index].refill(now: now) }
            return !refilled.allSatisfy(\.isFull)
        }
        guard buckets.count >= maximum else { return }
        for key in buckets.keys.prefix(buckets.count / 2) { buckets.removeValue(forKey: key) }
    }
}

extension RateLimiter.Decision {
    /// The headers (HTTP) or metadata (gRPC) that tell a caller its limits, as the IETF RateLimit header
    /// fields draft (draft-ietf-httpapi-ratelimit-headers-07) names them.
    public var headers: [(String, String)] {
        guard let limit else { return [] }
        var headers = [
            ("ratelimit-limit", "\(limit.requests)"),
            ("ratelimit-remaining", "\(remaining)"),
            ("ratelimit-reset", "\(reset)"),
            ("ratelimit-policy", limits.map { "\($0.requests);w=\($0.windowSeconds)" }.joined(separator: ", ")),
        ]
        if !allowed { headers.append(("retry-after", "\(retryAfter)")) }
        return headers
    }
}
