import IsidTestSupport
import RPCCore
import RPCHTTP2
import Testing

@Suite("Compression and message limits", .timeLimit(.minutes(1)))
struct CompressionAndLimitTests {
    @Test("a gzip request arrives compressed and a gzip response comes back readable")
    func gzipBothWays() async throws {
        let service = ClosureService().unary("Check") { request, context in
            guard context.lastRequestWasCompressed else {
                throw RPCError(code: .invalidArgument, message: "request was not compressed")
            }
            context.compressResponses(with: .gzip)
            return request
        }
        let text = String(repeating: "squeeze me ", count: 500)
        try await withTestServer(services: [service]) { client, _ in
            let response = try await client.unary(
                ClosureService.method("Check"),
                request: RawMessage(text),
                options: CallOptions(compression: .gzip),
                responseType: RawMessage.self
            )
            #expect(response.message.text == text)
        }
    }

    @Test("a request over the server's receive limit is RESOURCE_EXHAUSTED")
    func serverReceiveLimit() async throws {
        try await withTestServer(configuration: ServerConfiguration(maxReceiveMessageSize: 1024)) { client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(
                    Echo.unary,
                    request: RawMessage([UInt8](repeating: 1, count: 2048)),
                    responseType: RawMessage.self
                )
            }
            #expect(error?.code == .resourceExhausted)
            // The connection is still good for calls within the limit.
            let small = try await client.unary(Echo.unary, request: RawMessage("ok"), responseType: RawMessage.self)
            #expect(small.message.text == "ok")
        }
    }

    @Test("a response over the client's limit is RESOURCE_EXHAUSTED")
    func clientReceiveLimit() async throws {
        try await withTestServer { client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(
                    Echo.unary,
                    request: RawMessage([UInt8](repeating: 1, count: 2048)),
                    options: CallOptions(maxResponseMessageSize: 1024),
                    responseType: RawMessage.self
                )
            }
            #expect(error?.code == .resourceExhausted)
        }
    }
}
