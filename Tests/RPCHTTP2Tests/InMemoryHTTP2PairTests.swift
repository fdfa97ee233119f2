import IsidTestSupport
import RPCCore
import RPCHTTP2
import Testing

/// The transport's call shapes over two real nghttp2 sessions joined in memory: no sockets, no ports.
@Suite("Calls over an in-memory HTTP/2 pair", .timeLimit(.minutes(1)))
struct InMemoryHTTP2PairTests {
    @Test("a unary call returns the handler's response, headers and trailers")
    func unary() async throws {
        try await withInMemoryHTTP2Server { client, _ in
            let response = try await client.unary(
                Echo.unary,
                request: RawMessage("hello"),
                responseType: RawMessage.self
            )
            #expect(response.message.text == "hello")
            #expect(response.initialMetadata.first("echo-initial") == "yes")
            #expect(response.trailingMetadata.first("echo-trailing") == "yes")
        }
    }

    @Test("a server stream delivers every message in order, then the status")
    func serverStreaming() async throws {
        try await withInMemoryHTTP2Server { client, _ in
            let words = try await client.serverStreaming(
                Echo.expand,
                request: RawMessage("one two three four"),
                responseType: RawMessage.self
            ) { responses in
                var words: [String] = []
                for try await response in responses { words.append(response.text) }
                return words
            }
            #expect(words == ["one", "two", "three", "four"])
        }
    }

    @Test(
        "a call that fails before any response goes out gets its status in a Trailers-Only response",
        arguments: [(StatusCode.notFound, "fail:5"), (.permissionDenied, "fail:7")]
    )
    func trailersOnly(code: StatusCode, command: String) async throws {
        try await withInMemoryHTTP2Server { client, pair in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(Echo.unary, request: RawMessage(command), responseType: RawMessage.self)
            }
            #expect(error?.code == code)
            #expect(error?.message == "asked to fail")
            // One HEADERS frame with END_STREAM, no DATA.
            let frames = try await pair.framesSentByServer().filter { $0.streamID == 1 }
            #expect(frames.map(\.type) == [WireFrame.headers])
            #expect(frames.first?.endsStream == true)
        }
    }

    @Test("a unary response is headers, one DATA frame, then trailers that end the stream")
    func responseShape() async throws {
        try await withInMemoryHTTP2Server { client, pair in
            _ = try await client.unary(Echo.unary, request: RawMessage("shape"), responseType: RawMessage.self)
            let frames = try await pair.framesSentByServer().filter { $0.streamID == 1 }
            #expect(frames.map(\.type) == [WireFrame.headers, WireFrame.data, WireFrame.headers])
            #expect(frames.map(\.endsStream) == [false, false, true])
        }
    }

    @Test("a method the server does not have is UNIMPLEMENTED, answered from the request head")
    func unimplemented() async throws {
        try await withInMemoryHTTP2Server { client, _ in
            let missing = MethodDescriptor(service: "test.Echo", method: "Missing", kind: .unary)
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(missing, request: RawMessage("x"), responseType: RawMessage.self)
            }
            #expect(error?.code == .unimplemented)
        }
    }

    @Test("cancelling the client's call resets the stream, and the server cancels the handler")
    func reset() async throws {
        let started = Signal()
        let cancelled = Signal()
        let service = ClosureService().unary("Wait") { request, _ in
            started.raise()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.raise()
                throw error
            }
            return request
        }
        try await withInMemoryHTTP2Server(services: [service]) { client, pair in
            let call = Task {
                try await client.unary(
                    ClosureService.method("Wait"),
                    request: RawMessage("x"),
                    responseType: RawMessage.self
                )
            }
            await started.wait()
            call.cancel()
            await cancelled.wait()
            let error = await #expect(throws: RPCError.self) { try await call.value }
            #expect(error?.code == .cancelled)
            let resets = try await pair.framesSentByClient().filter { $0.type == WireFrame.rstStream }
            #expect(resets.map(\.streamID) == [1])
        }
    }

    @Test("a bidirectional stream answers each message as it arrives")
    func bidirectional() async throws {
        try await withInMemoryHTTP2Server { client, _ in
            let echoed = try await client.bidirectionalStreaming(
                Echo.update,
                requestType: RawMessage.self,
                responseType: RawMessage.self
            ) { writer, responses in
                var iterator = responses.makeAsyncIterator()
                var echoed: [String] = []
                for word in ["ping", "pong"] {
                    try await writer.write(RawMessage(word))
                    echoed.append(try #require(try await iterator.next()).text)
                }
                return echoed
            }
            #expect(echoed == ["ping", "pong"])
        }
    }
}
