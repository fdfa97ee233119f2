import NIOCore
public import RPCCore
public import RPCHTTP2

/// Runs `body` with a client connected to a fresh server on 127.0.0.1 (port 0), then shuts both down
/// and waits for the server to stop.
public func withTestServer<Result: Sendable>(
    configuration: ServerConfiguration = ServerConfiguration(),
    services: [any RPCService] = [EchoService()],
    clientConfiguration: (Int) -> ClientConfiguration = { ClientConfiguration(host: "127.0.0.1", port: $0) },
    interceptors: [any ServerInterceptor] = [],
    observer: (any ServerCallObserver)? = nil,
    _ body: (RPCClient, GRPCServer) async throws -> Result
) async throws -> Result {
    let server = GRPCServer(
        configuration: configuration,
        services: services,
        interceptors: interceptors,
        observer: observer
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let address = try await server.listeningAddress
        let channel = GRPCChannel(configuration: clientConfiguration(address.port!))
        do {
            let result = try await body(RPCClient(transport: channel), server)
            await channel.close()
            server.beginGracefulShutdown()
            try await group.waitForAll()
            return result
        } catch {
            await channel.close()
            server.beginGracefulShutdown()
            try? await group.waitForAll()
            throw error
        }
    }
}

/// A one-shot signal a handler raises and a test awaits.
public struct Signal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    public init() {
        (stream, continuation) = AsyncStream.makeStream(of: Void.self)
    }

    public func raise() { continuation.yield() }

    public func wait() async {
        for await _ in stream { return }
    }
}
