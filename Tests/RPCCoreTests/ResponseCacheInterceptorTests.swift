import IsidSync
import IsidTestSupport
import RPCCore
import Testing

/// The data version a test moves by hand, and how often handlers ran.
final class CacheFixture: Sendable {
    let version = Lock<Int64>(1)
    let runs = Lock<[String: Int]>([:])

    func ran(_ method: String) { runs.withLock { $0[method, default: 0] += 1 } }
    func runs(of method: String) -> Int { runs.withLock { $0[method] ?? 0 } }

    func service() -> ClosureService {
        ClosureService()
            .unary("Echo") { request, _ in
                self.ran("Echo")
                return RawMessage("\(request.text) at v\(self.version.withLock { $0 })")
            }
            .unary("Fail") { _, _ in
                self.ran("Fail")
                throw RPCError(code: .notFound, message: "nothing")
            }
            .unary("Tagged") { request, context in
                self.ran("Tagged")
                context.addResponseMetadata(["x-tag": "1"])
                return request
            }
            .unary("Uncached") { request, _ in
                self.ran("Uncached")
                return request
            }
    }

    func cache(maximumBytes: Int = 1 << 20) -> ResponseCacheInterceptor {
        ResponseCacheInterceptor(
            methods: ["Echo", "Fail", "Tagged"].map { ClosureService.method($0) },
            maximumBytes: maximumBytes,
            version: { self.version.withLock { $0 } }
        )
    }
}

@Suite("Response cache", .timeLimit(.minutes(1)))
struct ResponseCacheInterceptorTests {
    let fixture = CacheFixture()

    func expectAnswer(
        _ client: RPCClient,
        _ method: String,
        _ text: String,
        _ expected: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let answer = try await call(client, method, text)
        #expect(answer == expected, sourceLocation: sourceLocation)
    }

    func call(_ client: RPCClient, _ method: String, _ text: String) async throws -> String {
        try await client.unary(ClosureService.method(method), request: RawMessage(text), responseType: RawMessage.self)
            .message.text
    }

    @Test(
        "a repeated request is answered with the first answer's bytes; the handler runs once",
        arguments: TestTransport.allCases
    )
    func repeatedRequestIsAnsweredFromTheCache(transport: TestTransport) async throws {
        try await withServer(transport, services: [fixture.service()], interceptors: [fixture.cache()]) { client in
            try await expectAnswer(client, "Echo", "a", "a at v1")
            try await expectAnswer(client, "Echo", "a", "a at v1")
            try await expectAnswer(client, "Echo", "a", "a at v1")
        }
        #expect(fixture.runs(of: "Echo") == 1)
    }

    @Test("a different request is a different answer", arguments: TestTransport.allCases)
    func requestsAreKeyedByTheirBytes(transport: TestTransport) async throws {
        try await withServer(transport, services: [fixture.service()], interceptors: [fixture.cache()]) { client in
            try await expectAnswer(client, "Echo", "a", "a at v1")
            try await expectAnswer(client, "Echo", "b", "b at v1")
        }
        #expect(fixture.runs(of: "Echo") == 2)
    }

    @Test("a new data version is answered afresh, and its answer kept in turn", arguments: TestTransport.allCases)
    func newVersionIsAnsweredAfresh(transport: TestTransport) async throws {
        try await withServer(transport, services: [fixture.service()], interceptors: [fixture.cache()]) { client in
            try await expectAnswer(client, "Echo", "a", "a at v1")
            fixture.version.withLock { $0 = 2 }
            try await expectAnswer(client, "Echo", "a", "a at v2")
            try await expectAnswer(client, "Echo", "a", "a at v2")
        }
        #expect(fixture.runs(of: "Echo") == 2)
    }

    @Test("errors are never kept: each failing call runs the handler", arguments: TestTransport.allCases)
    func errorsAreNotCached(transport: TestTransport) async throws {
        try await withServer(transport, services: [fixture.service()], interceptors: [fixture.cache()]) { client in
            for _ in 0..<2 {
                let error = await #expect(throws: RPCError.self) { try await call(client, "Fail", "a") }
                #expect(error?.code == .notFound)
            }
        }
        #expect(fixture.runs(of: "Fail") == 2)
    }

    @Test(
        "an answer with response metadata is not kept, so its metadata is never lost",
        arguments: TestTransport.allCases
    )
    func answersWithMetadataAreNotCached(transport: TestTransport) async throws {
        try await withServer(transport, services: [fixture.service()], interceptors: [fixture.cache()]) { client in
            for _ in 0..<2 {
                let response = try await client.unary(
                    ClosureService.method("Tagged"),
                    request: RawMessage("a"),
                    responseType: RawMessage.self
                )
                #expect(response.initialMetadata.first("x-tag") == "1")
            }
        }
        #expect(fixture.runs(of: "Tagged") == 2)
    }

    @Test("methods not named are not cached", arguments: TestTransport.allCases)
    func otherMethodsPassThrough(transport: TestTransport) async throws {
        try await withServer(transport, services: [fixture.service()], interceptors: [fixture.cache()]) { client in
            _ = try await call(client, "Uncached", "a")
            _ = try await call(client, "Uncached", "a")
        }
        #expect(fixture.runs(of: "Uncached") == 2)
    }

    @Test("answers beyond the byte limit are served, not kept")
    func byteLimitBoundsTheCache() async throws {
        let cache = fixture.cache(maximumBytes: 12)
        try await withServer(.inProcess, services: [fixture.service()], interceptors: [cache]) { client in
            // "a at v1" is 7 bytes, 12 framed: it fits; the next answer would pass the limit.
            try await expectAnswer(client, "Echo", "a", "a at v1")
            try await expectAnswer(client, "Echo", "b", "b at v1")
            try await expectAnswer(client, "Echo", "a", "a at v1")
            try await expectAnswer(client, "Echo", "b", "b at v1")
        }
        #expect(fixture.runs(of: "Echo") == 3)
    }
}
