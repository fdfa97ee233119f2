import IsidSync
public import StandardProtos

/// The serving status of each service a server hosts, as grpc.health.v1 reports it, and the
/// watchers waiting to hear when one changes. The empty name stands for the whole server.
public final class HealthStatusRegistry: Sendable {
    public typealias ServingStatus = Grpc_Health_V1_HealthCheckResponse.ServingStatus

    private struct State {
        var statuses: [String: ServingStatus] = [:]
        var watchers: [String: [Int: AsyncStream<ServingStatus>.Continuation]] = [:]
        var nextWatcherID = 0
    }

    private let state = Lock(State())

    public init() {}

    /// Sets a service's status and tells its watchers when it changed.
    public func setStatus(_ status: ServingStatus, forService service: String) {
        let watchers = state.withLock { state -> [AsyncStream<ServingStatus>.Continuation] in
            guard state.statuses[service] != status else { return [] }
            state.statuses[service] = status
            return Array((state.watchers[service] ?? [:]).values)
        }
        for watcher in watchers { watcher.yield(status) }
    }

    /// Marks every known service NOT_SERVING: the first step of a graceful shutdown, so load balancers
    /// and readiness probes stop sending new work.
    public func markAllNotServing() {
        let services = state.withLock { Array($0.statuses.keys) }
        for service in services { setStatus(.notServing, forService: service) }
    }

    /// Marks everything NOT_SERVING and ends every Watch call (each watcher has seen NOT_SERVING
    /// first), so open watches do not hold a draining server up.
    public func shutDown() {
        markAllNotServing()
        let watchers = state.withLock { state -> [AsyncStream<ServingStatus>.Continuation] in
            defer { state.watchers.removeAll() }
            return state.watchers.values.flatMap(\.values)
        }
        for watcher in watchers { watcher.finish() }
    }

    /// The status of a service; nil when the registry has never heard of it.
    public func status(forService service: String) -> ServingStatus? {
        state.withLock { $0.statuses[service] }
    }

    /// A stream that yields the current status (SERVICE_UNKNOWN for an unknown service) and then every
    /// change, until the consumer stops iterating.
    public func watch(service: String) -> AsyncStream<ServingStatus> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ServingStatus.self,
            bufferingPolicy: .bufferingNewest(1)  // a slow watcher needs only the latest status
        )
        let id = state.withLock { state -> Int in
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[service, default: [:]][id] = continuation
            continuation.yield(state.statuses[service] ?? .serviceUnknown)
            return id
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.watchers[service]?.removeValue(forKey: id) }
        }
        return stream
    }
}
