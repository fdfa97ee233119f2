import IsidTestSupport
import RPCCore
import RPCHTTP2
import Testing

@Suite("Calls of every shape over loopback", .timeLimit(.minutes(1)))
struct CallShapeTests {
    @Test("a unary call returns the handler's response with its metadata")
    func unary() async throws {
        try await withTestServer { client, _ in
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

    @Test("a server stream delivers every message in order")
    func serverStreaming() async throws {
        try await withTestServer { client, _ in
            let words = try await client.serverStreaming(
                Echo.expand,
                request: RawMessage("a b c"),
                responseType: RawMessage.self
            ) { responses in
                var words: [String] = []
                for try await response in responses { words.append(response.text) }
                return words
            }
            #expect(words == ["a", "b", "c"])
        }
    }

    @Test("a client stream is read whole before the response")
    func clientStreaming() async throws {
        try await withTestServer { client, _ in
            let response = try await client.clientStreaming(Echo.collect, responseType: RawMessage.self) {
                (writer: RequestWriter<RawMessage>) in
                try await writer.write(contentsOf: ["x", "y", "z"].map(RawMessage.init))
            }
            #expect(response.message.text == "x y z")
        }
    }

    @Test("a bidirectional stream answers each message as it arrives")
    func bidirectional() async throws {
        try await withTestServer { client, _ in
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

    @Test("a handler's thrown RPCError reaches the client as its status")
    func handlerError() async throws {
        try await withTestServer { client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(Echo.unary, request: RawMessage("fail:5"), responseType: RawMessage.self)
            }
            #expect(error?.code == .notFound)
            #expect(error?.message == "asked to fail")
        }
    }

    @Test("an unknown method is UNIMPLEMENTED")
    func unknownMethod() async throws {
        try await withTestServer { client, _ in
            let missing = MethodDescriptor(service: "test.Echo", method: "Missing", kind: .unary)
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(missing, request: RawMessage("x"), responseType: RawMessage.self)
            }
            #expect(error?.code == .unimplemented)
        }
    }

    @Test("a call past its deadline ends with DEADLINE_EXCEEDED")
    func deadline() async throws {
        try await withTestServer { client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(
                    Echo.unary,
                    request: RawMessage("sleep"),
                    options: CallOptions(timeout: .milliseconds(100)),
                    responseType: RawMessage.self
                )
            }
            #expect(error?.code == .deadlineExceeded)
        }
    }
}
