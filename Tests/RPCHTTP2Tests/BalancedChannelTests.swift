import IsidSync
import IsidTestSupport
import NIOCore
import RPCCore
import RPCHTTP2
import RPCStandardServices
import StandardProtos
import Testing

/// A real server on 127.0.0.1:0 that answers `Name` with its name, with grpc.health.v1 beside it.
private struct Replica: Sendable {
    let name: String
    let server: GRPCServer
    let health = HealthStatusRegistry()
    let task: Task<Void, any Error>

    init(_ name: String) {
        self.name = name
        let health = self.health
        health.setStatus(.serving, forService: "")
        self.server = GRPCServer(
            configuration: ServerConfiguration(),
            services: [
                ClosureService().unary("Name") { _, _ in RawMessage(name) },
                HealthService(registry: health),
            ]
        )
        let server = self.server
        self.task = Task { try await server.run() }
    }

    func address() async throws -> EndpointAddress {
        EndpointAddress(host: "127.0.0.1", port: try await server.listeningAddress.port!)
    }

    func stop() async {
        server.beginGracefulShutdown()
        _ = try? await task.value
    }
}

private final class Answers: Sendable {
    let list = Lock<[String]>([])
}

private let read = ClosureService.method("Name").declaring(.noSideEffects)

/// Waits until `condition` holds, checking every 20 ms for at most 10 s.
private func eventually(_ condition: () -> Bool) async throws {
    for _ in 0..<500 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("the condition did not hold within 10 s")
}

private func name(_ client: RPCClient) async throws -> String {
    try await client.unary(
        read,
        request: RawMessage(""),
        options: CallOptions(timeout: .seconds(5)),
        responseType: RawMessage.self
    )
    .message.text
}

@Suite("Balanced HTTP/2 channel against real servers on loopback", .timeLimit(.minutes(1)))
struct BalancedChannelTests {
    @Test("calls reuse one connection per replica and reach every replica")
    func spreads() async throws {
        let replicas = [Replica("a"), Replica("b")]
        let transport = BalancedTransport.http2(
            target: .addresses(try await [replicas[0].address(), replicas[1].address()])
        )
        let client = RPCClient(transport: transport)
        var seen: [String: Int] = [:]
        for _ in 0..<20 { seen[try await name(client), default: 0] += 1 }
        #expect(seen == ["a": 10, "b": 10])
        await transport.close()
        for replica in replicas { await replica.stop() }
    }

    @Test("a replica stopped under load: no read fails, and traffic moves to the survivor")
    func replicaStoppedUnderLoad() async throws {
        let replicas = [Replica("a"), Replica("b")]
        let transport = BalancedTransport.http2(
            target: .addresses(try await [replicas[0].address(), replicas[1].address()])
        )
        let client = RPCClient(transport: transport)
        let answers = Answers()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<50 {
                        let answer = try await name(client)
                        answers.list.withLock { $0.append(answer) }
                    }
                }
            }
            group.addTask {
                while answers.list.withLock({ $0.count }) < 100 { try await Task.sleep(for: .milliseconds(2)) }
                await replicas[0].stop()
            }
            try await group.waitForAll()
        }
        let all = answers.list.withLock { $0 }
        #expect(all.count == 400)
        #expect(all.suffix(50).allSatisfy { $0 == "b" })
        await transport.close()
        await replicas[1].stop()
    }

    @Test("a replica whose health check says NOT_SERVING gets no calls until it serves again")
    func healthProbe() async throws {
        let replicas = [Replica("a"), Replica("b")]
        replicas[0].health.setStatus(.notServing, forService: "")
        let transport = BalancedTransport.http2(
            target: .addresses(try await [replicas[0].address(), replicas[1].address()]),
            configuration: .init(healthCheckInterval: .milliseconds(50)),
            probe: GRPCHealthProbe.make()
        )
        let keeper = Task { await transport.run() }
        let client = RPCClient(transport: transport)
        let a = try await replicas[0].address()
        // Probes run every 50 ms; on a busy machine the first may take a while, so wait for its verdict.
        try await eventually { transport.endpoints.first { $0.address == a }?.notServing == true }
        for _ in 0..<10 { #expect(try await name(client) == "b") }
        replicas[0].health.setStatus(.serving, forService: "")
        try await eventually { transport.endpoints.first { $0.address == a }?.notServing == false }
        var seen: Set<String> = []
        for _ in 0..<10 { seen.insert(try await name(client)) }
        #expect(seen == ["a", "b"])
        keeper.cancel()
        await keeper.value
        for replica in replicas { await replica.stop() }
    }

    @Test("a DNS name resolves to its addresses, each an endpoint")
    func dns() async throws {
        let replica = Replica("a")
        let port = try await replica.address().port
        let addresses = try await DNSEndpointResolver(host: "localhost", port: port).resolve()
        #expect(addresses.contains(EndpointAddress(host: "127.0.0.1", port: port)))
        let transport = BalancedTransport.http2(target: .addresses([EndpointAddress(host: "127.0.0.1", port: port)]))
        #expect(try await name(RPCClient(transport: transport)) == "a")
        await #expect(throws: DNSResolutionError.self) {
            try await DNSEndpointResolver(host: "no-such-host.invalid", port: 1).resolve()
        }
        await transport.close()
        await replica.stop()
    }
}
