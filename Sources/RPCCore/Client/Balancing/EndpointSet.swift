public import NIOCore

/// What a balanced client knows of its endpoints, and its choice of one per call: I/O-free, so every rule
/// is tested with plain values (time included). The owner keeps it under a lock, calls ``pick(now:excluding:)``
/// to start a call and ``finished(_:outcome:now:)`` when the call ends, feeds it resolver answers and health
/// checks, and drains ``takeEvents()`` for logs and metrics.
public struct EndpointSet: Sendable {
    /// How a call (or a connection attempt) to an endpoint ended, as far as the endpoint's health goes.
    public enum Outcome: Sendable, Equatable {
        /// The endpoint answered; any status other than UNAVAILABLE says it is up.
        case answered
        /// UNAVAILABLE: counts toward ejection.
        case unavailable
        /// No connection could be made: ejects at once.
        case unreachable
        /// The caller gave up (cancelled); says nothing of the endpoint.
        case abandoned
    }

    /// What an active health check (grpc.health.v1) found.
    public enum Health: Sendable, Equatable {
        case serving
        case notServing
        case unreachable
    }

    public enum Event: Sendable, Equatable {
        case added(EndpointAddress)
        case removed(EndpointAddress)
        case ejected(EndpointAddress, for: Duration)
        case restored(EndpointAddress)
    }

    public struct Endpoint: Sendable, Equatable {
        public let address: EndpointAddress
        public internal(set) var outstanding = 0
        public internal(set) var consecutiveFailures = 0
        /// Ejections in a row, without a success between them.
        public internal(set) var ejections = 0
        public internal(set) var ejectedUntil: NIODeadline?
        /// The last active health check said NOT_SERVING.
        public internal(set) var notServing = false

        func isAvailable(at now: NIODeadline) -> Bool {
            !notServing && (ejectedUntil.map { now >= $0 } ?? true)
        }
    }

    public let policy: BalancingPolicy
    public private(set) var endpoints: [Endpoint] = []
    private var cursor = 0
    private var events: [Event] = []

    public init(policy: BalancingPolicy = BalancingPolicy(), addresses: [EndpointAddress] = []) {
        self.policy = policy
        _ = update(addresses: addresses)
        events.removeAll()
    }

    /// Replaces the endpoint list with a resolver's answer. Endpoints still listed keep their state (calls in
    /// flight, ejection); an empty answer keeps the old list, since a failed lookup must not drop all traffic.
    /// Returns the addresses removed, whose connections the owner closes once their calls end.
    public mutating func update(addresses: [EndpointAddress]) -> [EndpointAddress] {
        let wanted = Set(addresses)
        guard !wanted.isEmpty else { return [] }
        let known = Set(endpoints.map(\.address))
        let removed = endpoints.map(\.address).filter { !wanted.contains($0) }
        endpoints.removeAll { !wanted.contains($0.address) }
        for address in wanted.subtracting(known).sorted() {
            endpoints.append(Endpoint(address: address))
            events.append(.added(address))
        }
        endpoints.sort { $0.address < $1.address }
        events.append(contentsOf: removed.map(Event.removed))
        return removed
    }

    /// The endpoint for the next call, counted as having one more call in flight; nil when there is none
    /// outside `excluding`. When every endpoint is ejected or not serving, all are candidates again (panic
    /// mode): sending to a maybe-dead endpoint beats failing every call.
    public mutating func pick(now: NIODeadline, excluding: Set<EndpointAddress> = []) -> EndpointAddress? {
        restoreExpired(now: now)
        var candidates = endpoints.indices.filter {
            !excluding.contains(endpoints[$0].address) && endpoints[$0].isAvailable(at: now)
        }
        if candidates.isEmpty {
            candidates = endpoints.indices.filter { !excluding.contains(endpoints[$0].address) }
        }
        guard !candidates.isEmpty else { return nil }
        let start = cursor % candidates.count
        cursor &+= 1
        var chosen = candidates[start]
        if policy.strategy == .leastOutstanding {
            // From the rotating start, the first with the fewest calls: equal loads take turns.
            for offset in 1..<candidates.count {
                let index = candidates[(start + offset) % candidates.count]
                if endpoints[index].outstanding < endpoints[chosen].outstanding { chosen = index }
            }
        }
        endpoints[chosen].outstanding += 1
        return endpoints[chosen].address
    }

    /// A call picked on `address` has ended.
    public mutating func finished(_ address: EndpointAddress, outcome: Outcome, now: NIODeadline) {
        guard let index = endpoints.firstIndex(where: { $0.address == address }) else { return }
        endpoints[index].outstanding = max(0, endpoints[index].outstanding - 1)
        record(outcome, at: index, now: now)
    }

    /// An active health check of `address` ended.
    public mutating func checked(_ address: EndpointAddress, health: Health, now: NIODeadline) {
        guard let index = endpoints.firstIndex(where: { $0.address == address }) else { return }
        switch health {
        case .serving:
            endpoints[index].notServing = false
            if endpoints[index].ejectedUntil != nil {
                endpoints[index].ejectedUntil = nil
                events.append(.restored(address))
            }
            endpoints[index].consecutiveFailures = 0
            endpoints[index].ejections = 0
        case .notServing:
            endpoints[index].notServing = true
        case .unreachable:
            record(.unreachable, at: index, now: now)
        }
    }

    /// What happened since the last call: endpoints added, removed, ejected and restored.
    public mutating func takeEvents() -> [Event] {
        defer { events.removeAll() }
        return events
    }

    private mutating func record(_ outcome: Outcome, at index: Int, now: NIODeadline) {
        switch outcome {
        case .answered:
            endpoints[index].consecutiveFailures = 0
            endpoints[index].ejections = 0
        case .abandoned:
            break
        case .unavailable, .unreachable:
            endpoints[index].consecutiveFailures += 1
            let threshold = outcome == .unreachable ? 1 : policy.failuresToEject
            guard endpoints[index].consecutiveFailures >= threshold,
                endpoints[index].ejectedUntil.map({ now >= $0 }) ?? true
            else { return }
            endpoints[index].ejections += 1
            endpoints[index].consecutiveFailures = 0
            let length = min(policy.baseEjection * endpoints[index].ejections, policy.maximumEjection)
            endpoints[index].ejectedUntil = now + TimeAmount(length)
            events.append(.ejected(endpoints[index].address, for: length))
        }
    }

    private mutating func restoreExpired(now: NIODeadline) {
        for index in endpoints.indices {
            if let until = endpoints[index].ejectedUntil, now >= until {
                endpoints[index].ejectedUntil = nil
                events.append(.restored(endpoints[index].address))
            }
        }
    }
}
