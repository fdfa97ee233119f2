import IsidSync
public import NIOCore

/// A client transport over a pool of endpoints: one connection per endpoint, reused; each call goes to the
/// endpoint the ``BalancingPolicy`` picks among those in rotation; an endpoint that fails is ejected and
/// comes back after its ejection or a passing health check; calls are retried as ``RetryPolicy`` allows.
/// Services calling each other and the gateway use the same transport.
///
/// ``run()`` keeps it current (re-resolving the target, health-checking endpoints) until cancelled; calls
/// work without it, resolving on first use.
public final class BalancedTransport: ClientTransport, Sendable {
    public struct Configuration: Sendable {
        public var policy: BalancingPolicy
        public var retry: RetryPolicy
        /// How often the target is resolved again (DNS names).
        public var resolveInterval: Duration
        /// How often each endpoint is health-checked; nil for never (ejections then simply expire).
        public var healthCheckInterval: Duration?
        public var healthCheckTimeout: Duration
        /// How long a removed endpoint's connection stays open for the calls still on it.
        public var removalGrace: Duration

        public init(
            policy: BalancingPolicy = BalancingPolicy(),
            retry: RetryPolicy = RetryPolicy(),
            resolveInterval: Duration = .seconds(30),
            healthCheckInterval: Duration? = .seconds(5),
            healthCheckTimeout: Duration = .seconds(1),
            removalGrace: Duration = .seconds(30)
        ) {
            self.policy = policy
            self.retry = retry
            self.resolveInterval = resolveInterval
            self.healthCheckInterval = healthCheckInterval
            self.healthCheckTimeout = healthCheckTimeout
            self.removalGrace = removalGrace
        }
    }

    /// Something operators want to see: in logs, or counted in metrics.
    public enum Event: Sendable, Equatable {
        case endpoint(EndpointSet.Event)
        /// A call was tried again after `code` (UNAVAILABLE, or a connection that could not be made).
        case retried(MethodDescriptor, after: StatusCode)
        case resolutionFailed(String)
    }

    /// Checks one endpoint's health (grpc.health.v1) through its transport, within the timeout.
    public typealias HealthProbe = @Sendable (any ClientTransport, Duration) async -> EndpointSet.Health

    public let target: String
    public let configuration: Configuration
    private let resolver: any EndpointResolver
    private let connect: @Sendable (EndpointAddress) -> any EndpointTransport
    private let probe: HealthProbe?
    private let onEvent: @Sendable (Event) -> Void
    private let state: Lock<State>

    private struct State {
        var endpoints: EndpointSet
        var transports: [EndpointAddress: any EndpointTransport] = [:]
        var retiring: [(transport: any EndpointTransport, since: NIODeadline)] = []
        var budget: RetryBudget
        var resolved = false
        var closed = false
    }

    /// - Parameters:
    ///   - target: names the pool in errors and logs.
    ///   - connect: makes the transport to one endpoint (an HTTP/2 channel).
    ///   - probe: the active health check; nil for none.
    public init(
        target: String,
        resolver: any EndpointResolver,
        configuration: Configuration = Configuration(),
        connect: @escaping @Sendable (EndpointAddress) -> any EndpointTransport,
        probe: HealthProbe? = nil,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) {
        self.target = target
        self.configuration = configuration
        self.resolver = resolver
        self.connect = connect
        self.probe = probe
        self.onEvent = onEvent
        self.state = Lock(
            State(endpoints: EndpointSet(policy: configuration.policy), budget: RetryBudget(configuration.retry.budget))
        )
    }

    /// The endpoints as the balancer sees them now.
    public var endpoints: [EndpointSet.Endpoint] { state.withLock { $0.endpoints.endpoints } }

    // MARK: Calls

    public func openCall(
        _ method: MethodDescriptor,
        metadata: Metadata,
        deadline: NIODeadline?,
        options: CallOptions
    ) async throws(RPCError) -> any ClientCallStream {
        try await resolveIfNeeded()
        let attempts = Attempts(limit: configuration.retry.maximumAttempts)
        let first = try await attempt(method, metadata: metadata, deadline: deadline, options: options, attempts)
        guard method.idempotency.allowsRetry, !method.kind.clientStreams, configuration.retry.maximumAttempts > 1
        else { return first }
        return RetryingCallStream(first: first, bufferLimit: configuration.retry.bufferLimit) { [self] in
            guard attempts.canRetry, deadline.map({ .now() < $0 }) ?? true, self.allowsRetry() else { return nil }
            self.onEvent(.retried(method, after: .unavailable))
            return try? await self.attempt(method, metadata: metadata, deadline: deadline, options: options, attempts)
        }
    }

    /// Opens one attempt on the next endpoint. A connection that cannot be made has sent nothing, so the
    /// attempt moves on to another endpoint whatever the method, while attempts and deadline allow.
    private func attempt(
        _ method: MethodDescriptor,
        metadata: Metadata,
        deadline: NIODeadline?,
        options: CallOptions,
        _ attempts: Attempts
    ) async throws(RPCError) -> ObservedCallStream {
        while true {
            let number = attempts.next()
            let (address, transport) = try await pick(excluding: attempts.tried, retry: number)
            attempts.tried.insert(address)
            do {
                let stream = try await transport.openCall(
                    method,
                    metadata: metadata,
                    deadline: deadline,
                    options: options
                )
                return ObservedCallStream(stream) { [weak self] code in self?.ended(address, code: code) }
            } catch {
                ended(address, code: nil, unreachable: error.code == .unavailable)
                guard error.code == .unavailable, attempts.canRetry, deadline.map({ .now() < $0 }) ?? true,
                    allowsRetry()
                else { throw error }
                onEvent(.retried(method, after: error.code))
            }
        }
    }

    /// The next endpoint and its transport. On a retry with every endpoint tried, waits the backoff first.
    private func pick(
        excluding tried: Set<EndpointAddress>,
        retry: Int
    ) async throws(RPCError) -> (EndpointAddress, any ClientTransport) {
        for round in 0..<2 {
            if round == 1 {
                try? await Task.sleep(for: configuration.retry.backoff(retry: retry))
            }
            let picked = state.withLock { state -> (EndpointAddress, any ClientTransport)? in
                guard !state.closed else { return nil }
                let excluded = round == 0 ? tried : []
                guard let address = state.endpoints.pick(now: .now(), excluding: excluded) else { return nil }
                let transport = state.transports[address] ?? connect(address)
                state.transports[address] = transport
                return (address, transport)
            }
            drainEvents()
            if let picked { return picked }
            if tried.isEmpty { break }
        }
        throw RPCError(code: .unavailable, message: "No endpoint of \(target) is available.")
    }

    private func ended(_ address: EndpointAddress, code: StatusCode?, unreachable: Bool = false) {
        state.withLock { state in
            let outcome: EndpointSet.Outcome
            switch code {
            case nil: outcome = unreachable ? .unreachable : .abandoned
            case .unavailable?: outcome = .unavailable
            default: outcome = .answered
            }
            state.endpoints.finished(address, outcome: outcome, now: .now())
            if unreachable || code == .unavailable { state.budget.recordFailure() }
            if code == .ok { state.budget.recordSuccess() }
        }
        drainEvents()
    }

    private func allowsRetry() -> Bool { state.withLock { $0.budget.allowsRetry } }

    private func drainEvents() {
        for event in state.withLock({ $0.endpoints.takeEvents() }) { onEvent(.endpoint(event)) }
    }

    // MARK: Keeping current

    /// Re-resolves the target and health-checks the endpoints until the task is cancelled; then closes every
    /// connection.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.resolveLoop() }
            if let interval = configuration.healthCheckInterval, probe != nil {
                group.addTask { await self.healthLoop(every: interval) }
            }
            await group.waitForAll()
        }
        await close()
    }

    /// Closes every connection; calls in flight end with UNAVAILABLE, new ones fail.
    public func close() async {
        let all = state.withLock { state -> [any EndpointTransport] in
            state.closed = true
            defer {
                state.transports.removeAll()
                state.retiring.removeAll()
            }
            return Array(state.transports.values) + state.retiring.map(\.transport)
        }
        for transport in all { await transport.close() }
    }

    private func resolveIfNeeded() async throws(RPCError) {
        guard !state.withLock({ $0.resolved }) else { return }
        do {
            try await resolve()
        } catch {
            throw RPCError(code: .unavailable, message: "Cannot resolve \(target): \(error)")
        }
        if state.withLock({ $0.endpoints.endpoints.isEmpty }) {
            throw RPCError(code: .unavailable, message: "\(target) resolved to no endpoint.")
        }
    }

    private func resolve() async throws {
        let addresses = try await resolver.resolve()
        let now = NIODeadline.now()
        let grace = TimeAmount(configuration.removalGrace)
        let expired = state.withLock { state -> [any EndpointTransport] in
            state.resolved = state.resolved || !addresses.isEmpty
            for address in state.endpoints.update(addresses: addresses) {
                if let transport = state.transports.removeValue(forKey: address) {
                    state.retiring.append((transport, now))
                }
            }
            let expired = state.retiring.filter { $0.since + grace <= now }.map(\.transport)
            state.retiring.removeAll { $0.since + grace <= now }
            return expired
        }
        drainEvents()
        for transport in expired { await transport.close() }
    }

    private func resolveLoop() async {
        while !Task.isCancelled {
            do {
                try await resolve()
            } catch {
                onEvent(.resolutionFailed("\(error)"))
            }
            try? await Task.sleep(for: configuration.resolveInterval)
        }
    }

    private func healthLoop(every interval: Duration) async {
        guard let probe else { return }
        while !Task.isCancelled {
            let targets = state.withLock { state in
                state.endpoints.endpoints.map { endpoint in
                    let transport = state.transports[endpoint.address] ?? connect(endpoint.address)
                    state.transports[endpoint.address] = transport
                    return (endpoint.address, transport)
                }
            }
            await withTaskGroup(of: (EndpointAddress, EndpointSet.Health).self) { group in
                for (address, transport) in targets {
                    group.addTask { (address, await probe(transport, self.configuration.healthCheckTimeout)) }
                }
                for await (address, health) in group {
                    state.withLock { $0.endpoints.checked(address, health: health, now: .now()) }
                }
            }
            drainEvents()
            try? await Task.sleep(for: interval)
        }
    }
}

/// The attempts of one call: how many so far, and on which endpoints.
private final class Attempts: Sendable {
    private struct Counts {
        var made = 0
        var tried: Set<EndpointAddress> = []
    }
    private let counts = Lock(Counts())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Counts one more attempt; returns its number, 1 for the first.
    func next() -> Int {
        counts.withLock { counts in
            counts.made += 1
            return counts.made
        }
    }

    var canRetry: Bool { counts.withLock { $0.made < limit } }

    var tried: Set<EndpointAddress> {
        get { counts.withLock { $0.tried } }
        set { counts.withLock { $0.tried = newValue } }
    }
}
