import IsidTestSupport
import NIOCore
import RPCCore
import RPCHTTP2
import Testing

@Suite("Connection lifecycle", .timeLimit(.minutes(1)))
struct ConnectionLifecycleTests {
    @Test("graceful shutdown lets an in-flight call finish")
    func drainFinishesInFlightCalls() async throws {
        let started = Signal()
        let service = ClosureService().unary("Slow") { request, _ in
            started.raise()
            try await Task.sleep(for: .milliseconds(300))
            return request
        }
        try await withTestServer(services: [service]) { client, server in
            async let response = client.unary(
                ClosureService.method("Slow"),
                request: RawMessage("done"),
                responseType: RawMessage.self
            )
            await started.wait()
            server.beginGracefulShutdown()
            let text = try await response.message.text
            #expect(text == "done")
        }
    }

    @Test("after the server goes away and comes back on the same port, the channel reconnects")
    func reconnects() async throws {
        let first = GRPCServer(configuration: ServerConfiguration(), services: [EchoService()])
        let firstRun = Task { try await first.run() }
        let port = try await first.listeningAddress.port!
        let channel = GRPCChannel(
            configuration: ClientConfiguration(
                host: "127.0.0.1",
                port: port,
                backoff: .init(initial: .milliseconds(10), maximum: .milliseconds(50))
            )
        )
        let client = RPCClient(transport: channel)
        #expect(
            try await client.unary(Echo.unary, request: RawMessage("1"), responseType: RawMessage.self).message.text
                == "1"
        )

        first.beginGracefulShutdown()
        try await firstRun.value
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(Echo.unary, request: RawMessage("2"), responseType: RawMessage.self)
        }
        #expect(error?.code == .unavailable)

        let second = GRPCServer(configuration: ServerConfiguration(port: port), services: [EchoService()])
        let secondRun = Task { try await second.run() }
        _ = try await second.listeningAddress
        var reply: String?
        for _ in 0..<100 where reply == nil {
            reply = try? await client.unary(Echo.unary, request: RawMessage("3"), responseType: RawMessage.self).message
                .text
            if reply == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(reply == "3")
        await channel.close()
        second.beginGracefulShutdown()
        try await secondRun.value
    }

    @Test("keepalive PINGs on both sides are answered and leave a quiet connection open")
    func keepalive() async throws {
        // PINGs every 20 ms; an answer may take up to 5 s, since a loaded CI machine running the whole suite
        // under ThreadSanitizer once took longer than 500 ms to answer one, and the test is about PINGs being
        // answered, not about how fast.
        let fast = KeepalivePolicy(interval: .milliseconds(20), timeout: .seconds(5))
        try await withTestServer(
            configuration: ServerConfiguration(keepalive: fast),
            clientConfiguration: { ClientConfiguration(host: "127.0.0.1", port: $0, keepalive: fast) }
        ) { client, _ in
            for round in 0..<3 {
                let reply = try await client.unary(
                    Echo.unary,
                    request: RawMessage("\(round)"),
                    responseType: RawMessage.self
                )
                #expect(reply.message.text == "\(round)")
                try await Task.sleep(for: .milliseconds(100))  // several PING rounds while idle
            }
        }
    }

    @Test("a call to a port nobody listens on fails UNAVAILABLE")
    func connectionRefused() async throws {
        let server = GRPCServer(configuration: ServerConfiguration(), services: [])
        let run = Task { try await server.run() }
        let port = try await server.listeningAddress.port!
        server.beginGracefulShutdown()
        try await run.value
        let client = RPCClient(transport: GRPCChannel(host: "127.0.0.1", port: port))
        let error = await #expect(throws: RPCError.self) {
            _ = try await client.unary(Echo.unary, request: RawMessage("x"), responseType: RawMessage.self)
        }
        #expect(error?.code == .unavailable)
    }
}
