import IsidSync
import IsidTestSupport
import NIOCore
import RPCCore
import Testing

/// An endpoint served in process: answers with its name, or with `status` when set; refuses connections
/// while `down`.
private final class FakeEndpoint: EndpointTransport {
    let address: EndpointAddress
    private let flags = Lock((down: false, status: StatusCode?.none, calls: 0, closed: false))

    init(_ name: String, port: Int) {
        self.address = EndpointAddress(host: name, port: port)
    }

    var calls: Int { flags.withLock { $0.calls } }
    var closed: Bool { flags.withLock { $0.closed } }
    func setDown(_ down: Bool) { flags.withLock { $0.down = down } }
    func answer(with status: StatusCode?) { flags.withLock { $0.status = status } }

    func openCall(
        _ method: MethodDescriptor,
        metadata: Metadata,
        deadline: NIODeadline?,
        options: CallOptions
    ) async throws(RPCError) -> any ClientCallStream {
        let (down, status) = flags.withLock { flags in
            if !flags.down { flags.calls += 1 }
            return (flags.down, flags.status)
        }
        if down { throw RPCError(code: .unavailable, message: "connection refused") }
        var metadata = metadata
        metadata.add("x-endpoint", address.host)
        if let status { metadata.add("x-answer-status", "\(status.rawValue)") }
        return try await Self.server.openCall(method, metadata: metadata, deadline: deadline, options: options)
    }

    func close() async { flags.withLock { $0.closed = true } }

    /// Every fake endpoint shares one in-process server; the metadata says which endpoint and what to answer.
    static let server = InProcessTransport(services: [
        ClosureService()
            .unary("Name") { _, context in
                if let code = context.requestMetadata.first("x-answer-status").flatMap({ Int($0) }) {
                    throw RPCError(code: StatusCode(rawValue: code), message: "told to")
                }
                return RawMessage(context.requestMetadata.first("x-endpoint") ?? "")
            }
    ])
}

private func balanced(
    _ endpoints: [FakeEndpoint],
    retry: RetryPolicy = RetryPolicy(initialBackoff: .milliseconds(1))
) -> BalancedTransport {
    let byAddress = Dictionary(uniqueKeysWithValues: endpoints.map { ($0.address, $0) })
    return BalancedTransport(
        target: "test",
        resolver: StaticEndpointResolver(endpoints.map(\.address)),
        configuration: .init(retry: retry, healthCheckInterval: nil),
        connect: { byAddress[$0]! }
    )
}

private let read = ClosureService.method("Name").declaring(.noSideEffects)
private let write = ClosureService.method("Name")

private func call(_ transport: BalancedTransport, _ method: MethodDescriptor) async throws -> String {
    try await RPCClient(transport: transport).unary(method, request: RawMessage(""), responseType: RawMessage.self)
        .message.text
}

@Suite("Balanced transport over in-process endpoints", .timeLimit(.minutes(1)))
struct BalancedTransportTests {
    @Test("calls spread over every endpoint")
    func spreads() async throws {
        let endpoints = [FakeEndpoint("one", port: 1), FakeEndpoint("two", port: 2)]
        let transport = balanced(endpoints)
        var answers: [String] = []
        for _ in 0..<4 { answers.append(try await call(transport, write)) }
        #expect(answers.sorted() == ["one", "one", "two", "two"])
    }

    @Test("an endpoint that refuses connections is passed over, for any method, and ejected")
    func refusedConnection() async throws {
        let endpoints = [FakeEndpoint("one", port: 1), FakeEndpoint("two", port: 2)]
        endpoints[0].setDown(true)
        let transport = balanced(endpoints)
        for _ in 0..<4 { #expect(try await call(transport, write) == "two") }
        #expect(transport.endpoints.first { $0.address.host == "one" }?.ejectedUntil != nil)
    }

    @Test("a read answered UNAVAILABLE is tried again on another endpoint; the caller sees the answer")
    func retriesReads() async throws {
        let endpoints = [FakeEndpoint("one", port: 1), FakeEndpoint("two", port: 2)]
        endpoints[0].answer(with: .unavailable)
        let transport = balanced(endpoints)
        for _ in 0..<4 { #expect(try await call(transport, read) == "two") }
    }

    @Test("a method not declared free of side effects is not tried again after UNAVAILABLE")
    func doesNotRetryWrites() async throws {
        let endpoints = [FakeEndpoint("one", port: 1), FakeEndpoint("two", port: 2)]
        endpoints[0].answer(with: .unavailable)
        endpoints[1].answer(with: .unavailable)
        let transport = balanced(endpoints)
        let error = await #expect(throws: RPCError.self) { try await call(transport, write) }
        #expect(error?.code == .unavailable)
        #expect(endpoints[0].calls + endpoints[1].calls == 1)
    }

    @Test("other errors are never retried")
    func otherErrorsNotRetried() async throws {
        let endpoints = [FakeEndpoint("one", port: 1), FakeEndpoint("two", port: 2)]
        endpoints[0].answer(with: .notFound)
        endpoints[1].answer(with: .notFound)
        let transport = balanced(endpoints)
        await #expect(throws: RPCError.self) { try await call(transport, read) }
        #expect(endpoints[0].calls + endpoints[1].calls == 1)
    }

    @Test("retries stop at the attempt limit")
    func attemptLimit() async throws {
        let endpoints = (1...4).map { FakeEndpoint("e\($0)", port: $0) }
        for endpoint in endpoints { endpoint.answer(with: .unavailable) }
        let transport = balanced(endpoints, retry: RetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(1)))
        await #expect(throws: RPCError.self) { try await call(transport, read) }
        #expect(endpoints.map(\.calls).reduce(0, +) == 3)
    }

    @Test("when most calls fail, the retry budget stops retries instead of multiplying the load")
    func budget() async throws {
        let endpoints = [FakeEndpoint("one", port: 1), FakeEndpoint("two", port: 2)]
        for endpoint in endpoints { endpoint.answer(with: .unavailable) }
        let transport = balanced(endpoints)
        for _ in 0..<10 { _ = try? await call(transport, read) }
        let before = endpoints.map(\.calls).reduce(0, +)
        _ = try? await call(transport, read)
        #expect(endpoints.map(\.calls).reduce(0, +) == before + 1)
    }

    @Test("with every endpoint down, a call fails with UNAVAILABLE naming the pool")
    func allDown() async throws {
        let endpoints = [FakeEndpoint("one", port: 1), FakeEndpoint("two", port: 2)]
        for endpoint in endpoints { endpoint.setDown(true) }
        let transport = balanced(endpoints)
        let error = await #expect(throws: RPCError.self) { try await call(transport, read) }
        #expect(error?.code == .unavailable)
    }

    @Test("closing closes every endpoint's connection")
    func close() async throws {
        let endpoints = [FakeEndpoint("one", port: 1), FakeEndpoint("two", port: 2)]
        let transport = balanced(endpoints)
        for _ in 0..<2 { _ = try await call(transport, write) }
        await transport.close()
        #expect(endpoints.allSatisfy { $0.closed })
    }
}
