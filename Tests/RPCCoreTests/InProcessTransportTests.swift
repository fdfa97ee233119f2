import IsidTestSupport
import RPCCore
import Testing

@Suite("In-process transport", .timeLimit(.minutes(1)))
struct InProcessTransportTests {
    let client = RPCClient(transport: InProcessTransport(services: [EchoService()]))

    @Test("a unary call carries its response, headers and trailers")
    func unary() async throws {
        let response = try await client.unary(Echo.unary, request: RawMessage("hello"), responseType: RawMessage.self)
        #expect(response.message.text == "hello")
        #expect(response.initialMetadata.first("echo-initial") == "yes")
        #expect(response.trailingMetadata.first("echo-trailing") == "yes")
    }

    @Test("every streaming shape delivers its messages in order")
    func streaming() async throws {
        let words = try await client.serverStreaming(Echo.expand, request: RawMessage("a b c")) {
            (responses: ResponseStream<RawMessage>) in
            try await responses.reduce(into: []) { $0.append($1.text) }
        }
        #expect(words == ["a", "b", "c"])
        let collected = try await client.clientStreaming(Echo.collect, responseType: RawMessage.self) { writer in
            try await writer.write(contentsOf: [RawMessage("x"), RawMessage("y")])
        }
        #expect(collected.message.text == "x y")
        let echoed = try await client.bidirectionalStreaming(Echo.update, requestType: RawMessage.self) {
            (writer, responses: ResponseStream<RawMessage>) in
            var seen: [String] = []
            for word in ["1", "2"] {
                try await writer.write(RawMessage(word))
                var iterator = responses.makeAsyncIterator()
                if let echo = try await iterator.next() { seen.append(echo.text) }
            }
            writer.close()
            return seen
        }
        #expect(echoed == ["1", "2"])
    }

    @Test("a handler's error status and code reach the client")
    func errorStatus() async throws {
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(Echo.unary, request: RawMessage("fail:5"), responseType: RawMessage.self)
        }
        #expect(error?.code == .notFound)
    }

    @Test("a call to an unknown method is UNIMPLEMENTED")
    func unimplemented() async throws {
        let method = MethodDescriptor(service: "test.Missing", method: "Get", kind: .unary)
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(method, request: RawMessage(""), responseType: RawMessage.self)
        }
        #expect(error?.code == .unimplemented)
    }

    @Test("a call past its deadline ends DEADLINE_EXCEEDED and the handler is cancelled")
    func deadline() async throws {
        let error = await #expect(throws: RPCError.self) {
            try await client.unary(
                Echo.unary,
                request: RawMessage("sleep"),
                options: CallOptions(timeout: .milliseconds(50)),
                responseType: RawMessage.self
            )
        }
        #expect(error?.code == .deadlineExceeded)
    }

    @Test("requests compressed by the client arrive decompressed, flagged as compressed")
    func compression() async throws {
        let service = ClosureService().unary("Flag") { request, context in
            RawMessage("\(request.text) \(context.lastRequestWasCompressed)")
        }
        let client = RPCClient(transport: InProcessTransport(services: [service]))
        let response = try await client.unary(
            ClosureService.method("Flag"),
            request: RawMessage("zipped"),
            options: CallOptions(compression: .gzip),
            responseType: RawMessage.self
        )
        #expect(response.message.text == "zipped true")
    }
}
