/// When a balanced client tries a call again on another endpoint. Only calls that cannot have had an effect
/// are retried: a connection that never opened (always), and an UNAVAILABLE answer to a method its proto
/// declares `NO_SIDE_EFFECTS` or `IDEMPOTENT` (unary and server-streaming calls, before any response reached
/// the caller). Every retry stays within the call's deadline and the channel's retry budget.
public struct RetryPolicy: Sendable {
    /// Attempts per call, the first included.
    public var maximumAttempts: Int
    /// The pause before a retry on an endpoint already tried (none when an untried one is left); doubles
    /// each time, with ±20% jitter, up to `maximumBackoff`.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// Request bytes kept for a replay; a call that sends more is not retried.
    public var bufferLimit: Int
    public var budget: RetryBudget.Configuration

    public init(
        maximumAttempts: Int = 3,
        initialBackoff: Duration = .milliseconds(50),
        maximumBackoff: Duration = .seconds(1),
        bufferLimit: Int = 64 * 1024,
        budget: RetryBudget.Configuration = .init()
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.bufferLimit = bufferLimit
        self.budget = budget
    }

    public static let none = RetryPolicy(maximumAttempts: 1)

    /// The pause before retry number `retry` (1-based) on an endpoint tried before.
    func backoff(retry: Int) -> Duration {
        var delay = initialBackoff
        for _ in 1..<max(1, retry) where delay < maximumBackoff { delay = min(delay * 2, maximumBackoff) }
        return delay * Double.random(in: 0.8...1.2)
    }
}

/// gRPC's retry throttling: a token bucket that failures drain and successes refill, so that retries stop
/// when most calls fail (an outage) instead of multiplying the load on what is left.
public struct RetryBudget: Sendable {
    public struct Configuration: Sendable {
        /// Bucket size; retries are allowed while more than half of it is left.
        public var maximumTokens: Double
        /// Tokens a successful call puts back; a failed one takes one.
        public var tokenRatio: Double

        public init(maximumTokens: Double = 10, tokenRatio: Double = 0.1) {
            self.maximumTokens = maximumTokens
            self.tokenRatio = tokenRatio
        }
    }

    public let configuration: Configuration
    public private(set) var tokens: Double

    public init(_ configuration: Configuration = .init()) {
        self.configuration = configuration
        self.tokens = configuration.maximumTokens
    }

    public var allowsRetry: Bool { tokens > configuration.maximumTokens / 2 }

    public mutating func recordFailure() { tokens = max(0, tokens - 1) }

    public mutating func recordSuccess() {
        tokens = min(configuration.maximumTokens, tokens + configuration.tokenRatio)
    }
}
