/// How a balanced client chooses among endpoints, and when it stops sending to one.
public struct BalancingPolicy: Sendable {
    public enum Strategy: String, Sendable, CaseIterable {
        /// The endpoint with the fewest calls in flight; ties go round the endpoints in turn.
        case leastOutstanding = "least_outstanding"
        case roundRobin = "round_robin"
    }

    public var strategy: Strategy
    /// UNAVAILABLE answers in a row that take an endpoint out of rotation. A connection that cannot be made
    /// takes it out at once.
    public var failuresToEject: Int
    /// How long the first ejection lasts; the n-th in a row lasts n times as long, up to `maximumEjection`.
    public var baseEjection: Duration
    public var maximumEjection: Duration

    public init(
        strategy: Strategy = .leastOutstanding,
        failuresToEject: Int = 3,
        baseEjection: Duration = .seconds(5),
        maximumEjection: Duration = .seconds(60)
    ) {
        self.strategy = strategy
        self.failuresToEject = max(1, failuresToEject)
        self.baseEjection = baseEjection
        self.maximumEjection = max(baseEjection, maximumEjection)
    }
}
