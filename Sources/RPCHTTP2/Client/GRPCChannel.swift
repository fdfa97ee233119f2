import IsidSync
public import Logging
public import NIOCore
public import NIOPosix
public import RPCCore

/// A client's way to one endpoint: calls multiplex over one HTTP/2 connection, opened on first use
/// and opened again after a GOAWAY or a lost connection. A failed connect starts a backoff period
/// (gRPC's connection-backoff), during which calls fail fast with UNAVAILABLE.
public final class GRPCChannel: ClientTransport, Sendable {
    public let configuration: ClientConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let state = Lock(State.idle)

    private enum State {
        case idle
        case connecting(EventLoopFuture<Connection>)
        case ready(Connection)
        case backingOff(until: NIODeadline, attempt: Int, lastError: String)
        case closed
    }

    private typealias Connection = HTTP2ClientConnection

    public init(
        configuration: ClientConfiguration,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "isid.rpc.client")
    ) {
        self.configuration = configuration
        self.group = group
        self.logger = logger
    }

    public convenience init(host: String, port: Int) {
        self.init(configuration: ClientConfiguration(host: host, port: port))
    }

    public func openCall(
        _ method: MethodDescriptor,
        metadata: Metadata,
        deadline: NIODeadline?,
        options: CallOptions
    ) async throws(RPCError) -> any ClientCallStream {
        try await connection().openCall(method, metadata: metadata, deadline: deadline, options: options)
    }

    /// Closes the connection; calls in flight end with UNAVAILABLE, new calls fail.
    public func close() async {
        let current = state.withLock { state -> State in
            let current = state
            state = .closed
            return current
        }
        if case .ready(let connection) = current {
            try? await connection.channel.close()
        }
    }

    // MARK: Connection management

    private enum Next {
        case use(Connection)
        case wait(EventLoopFuture<Connection>)
        case connect(EventLoopPromise<Connection>, attempt: Int)
        case fail(RPCError)
    }

    private func connection() async throws(RPCError) -> Connection {
        let next = state.withLock { state -> Next in
            switch state {
            case .ready(let connection):
                return .use(connection)
            case .connecting(let future):
                return .wait(future)
            case .backingOff(let until, let attempt, let lastError):
                if NIODeadline.now() < until {
                    return .fail(
                        RPCError(code: .unavailable, message: "Connecting failed (\(lastError)); retrying later.")
                    )
                }
                let promise = group.next().makePromise(of: Connection.self)
                state = .connecting(promise.futureResult)
                return .connect(promise, attempt: attempt)
            case .idle:
                let promise = group.next().makePromise(of: Connection.self)
                state = .connecting(promise.futureResult)
                return .connect(promise, attempt: 0)
            case .closed:
                return .fail(RPCError(code: .unavailable, message: "The channel is closed."))
            }
        }
        switch next {
        case .use(let connection):
            return connection
        case .fail(let error):
            throw error
        case .wait(let future):
            do {
                return try await future.get()
            } catch {
                throw RPCError(
                    code: .unavailable,
                    message: "Connecting to \(configuration.host):\(configuration.port) failed: \(error)"
                )
            }
        case .connect(let promise, let attempt):
            do {
                let connection = try await connect()
                state.withLock { $0 = .ready(connection) }
                promise.succeed(connection)
                return connection
            } catch {
                let delay = configuration.backoff.delay(attempt: attempt)
                state.withLock {
                    $0 = .backingOff(until: .now() + TimeAmount(delay), attempt: attempt + 1, lastError: "\(error)")
                }
                promise.fail(error)
                throw RPCError(
                    code: .unavailable,
                    message: "Connecting to \(configuration.host):\(configuration.port) failed: \(error)"
                )
            }
        }
    }

    private func connect() async throws -> Connection {
        let configuration = self.configuration
        let logger = self.logger
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = try HTTP2ClientConnection.add(to: channel, configuration: configuration, logger: logger)
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .get()
        return try await channel.eventLoop.submit { [weak self] in
            let handler = try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self)
            let id = ObjectIdentifier(channel)
            handler.onUnusable = { [weak self] in self?.connectionBecameUnusable(id) }
            return Connection(
                channel: channel,
                handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
                highWaterMark: configuration.streamWriteHighWaterMark
            )
        }.get()
    }

    /// After a GOAWAY or a lost connection, the next call opens a new connection.
    private func connectionBecameUnusable(_ id: ObjectIdentifier) {
        state.withLock { state in
            if case .ready(let connection) = state, ObjectIdentifier(connection.channel) == id {
                state = .idle
            }
        }
    }
}
