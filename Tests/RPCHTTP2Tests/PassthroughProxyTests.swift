import IsidTestSupport
import NIOCore
import RPCCore
import RPCHTTP2
import Testing

/// A proxy built only from the passthrough pieces: a server whose catch-all route forwards each call, as
/// bytes, to an upstream server. Messages are never decoded on the way.
@Suite("Passthrough proxy", .timeLimit(.minutes(1)))
struct PassthroughProxyTests {
    /// Runs `body` with a client of a proxy (over loopback) in front of an echo server (over loopback).
    func withProxy(_ body: (RPCClient) async throws -> Void) async throws {
        try await withTestServer(services: [EchoService()]) { upstream, _ in
            var router = RPCRouter()
            router.registerPassthrough { requests, responses, context in
                var metadata = context.requestMetadata
                metadata.add("x-proxied", "yes")
                try await upstream.forward(requests, to: responses, context: context, metadata: metadata)
            }
            let proxy = GRPCServer(configuration: ServerConfiguration(), router: router)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await proxy.run() }
                let address = try await proxy.listeningAddress
                let channel = GRPCChannel(configuration: ClientConfiguration(host: "127.0.0.1", port: address.port!))
                do {
                    try await body(RPCClient(transport: channel))
                } catch {
                    await channel.close()
                    proxy.beginGracefulShutdown()
                    throw error
                }
                await channel.close()
                proxy.beginGracefulShutdown()
                try await group.waitForAll()
            }
        }
    }

    @Test("a unary call passes through with its response headers and trailers")
    func unary() async throws {
        try await withProxy { client in
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

    @Test("a server-streaming call passes every message through in order")
    func serverStreaming() async throws {
        try await withProxy { client in
            let words = try await client.serverStreaming(Echo.expand, request: RawMessage("one two three")) {
                (responses: ResponseStream<RawMessage>) in
                try await responses.reduce(into: []) { $0.append($1.text) }
            }
            #expect(words == ["one", "two", "three"])
        }
    }

    @Test("a client-streaming call passes every request through")
    func clientStreaming() async throws {
        try await withProxy { client in
            let response = try await client.clientStreaming(Echo.collect, responseType: RawMessage.self) { writer in
                for word in ["a", "b", "c"] { try await writer.write(RawMessage(word)) }
            }
            #expect(response.message.text == "a b c")
        }
    }

    @Test("a bidirectional call interleaves requests and responses through the proxy")
    func bidirectional() async throws {
        try await withProxy { client in
            let echoed = try await client.bidirectionalStreaming(Echo.update, requestType: RawMessage.self) {
                (writer, responses: ResponseStream<RawMessage>) in
                var iterator = responses.makeAsyncIterator()
                var seen: [String] = []
                // Each response must arrive before the next request is sent: nothing waits for the end.
                for word in ["ping", "pong", "done"] {
                    try await writer.write(RawMessage(word))
                    if let echo = try await iterator.next() { seen.append(echo.text) }
                }
                writer.close()
                #expect(try await iterator.next() == nil)
                return seen
            }
            #expect(echoed == ["ping", "pong", "done"])
        }
    }

    @Test("an upstream error passes through with its code, message and trailers")
    func errorStatus() async throws {
        try await withProxy { client in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(Echo.unary, request: RawMessage("fail:9"), responseType: RawMessage.self)
            }
            #expect(error?.code == .failedPrecondition)
            #expect(error?.message == "asked to fail")
        }
    }

    @Test("a method the upstream does not serve is UNIMPLEMENTED through the proxy")
    func unknownUpstreamMethod() async throws {
        try await withProxy { client in
            let method = MethodDescriptor(service: "test.Echo", method: "Missing", kind: .unary)
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(method, request: RawMessage(""), responseType: RawMessage.self)
            }
            #expect(error?.code == .unimplemented)
        }
    }

    @Test("metadata the proxy adds reaches the upstream handler")
    func addedMetadata() async throws {
        let service = ClosureService().unary("Proxied") { _, context in
            RawMessage(context.requestMetadata.first("x-proxied") ?? "no")
        }
        try await withTestServer(services: [service]) { upstream, _ in
            var router = RPCRouter()
            router.registerPassthrough { requests, responses, context in
                var metadata = context.requestMetadata
                metadata.add("x-proxied", "yes")
                try await upstream.forward(requests, to: responses, context: context, metadata: metadata)
            }
            let client = RPCClient(transport: InProcessTransport(router: router))
            let response = try await client.unary(
                ClosureService.method("Proxied"),
                request: RawMessage(""),
                responseType: RawMessage.self
            )
            #expect(response.message.text == "yes")
        }
    }

    @Test("a compressed request arrives at the upstream compressed and decoded there")
    func compressedRequest() async throws {
        try await withProxy { client in
            let response = try await client.unary(
                Echo.unary,
                request: RawMessage("squeezed"),
                options: CallOptions(compression: .gzip),
                responseType: RawMessage.self
            )
            #expect(response.message.text == "squeezed")
        }
    }
}
