public import RPCCore

/// Where a test's calls travel: the same test body runs on either by changing one argument.
public enum TestTransport: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Straight to the router in this process: no HTTP/2, no sockets.
    case inProcess
    /// Over HTTP/2 to a real server on 127.0.0.1, port 0.
    case loopback

    public var description: String { rawValue }
}

/// Runs `body` with a client of a server for `services` reached over `transport`, then stops the server.
/// Calls go through the server `interceptors` (first outermost) and the client's `clientInterceptors`.
public func withServer<Result: Sendable>(
    _ transport: TestTransport,
    services: [any RPCService],
    interceptors: [any ServerInterceptor] = [],
    clientInterceptors: [any ClientInterceptor] = [],
    _ body: (RPCClient) async throws -> Result
) async throws -> Result {
    switch transport {
    case .inProcess:
        let transport = InProcessTransport(services: services, interceptors: interceptors)
        return try await body(RPCClient(transport: transport, interceptors: clientInterceptors))
    case .loopback:
        return try await withTestServer(services: services, interceptors: interceptors) { client, _ in
            try await body(RPCClient(transport: client.transport, interceptors: clientInterceptors))
        }
    }
}
