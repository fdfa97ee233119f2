import IsidTestSupport
import RPCCore
import Testing

/// Adds one metadata entry to every call.
struct StampInterceptor: ClientInterceptor {
    let key: String
    let value: String

    func intercept(
        _ request: ClientCallRequest,
        next: (ClientCallRequest) async throws(RPCError) -> any ClientCallStream
    ) async throws(RPCError) -> any ClientCallStream {
        var request = request
        request.metadata.add(key, value)
        return try await next(request)
    }
}

/// Refuses every call before it leaves.
struct OfflineInterceptor: ClientInterceptor {
    func intercept(
        _ request: ClientCallRequest,
        next: (ClientCallRequest) async throws(RPCError) -> any ClientCallStream
    ) async throws(RPCError) -> any ClientCallStream {
        throw RPCError(code: .unavailable, message: "offline: \(request.method)")
    }
}

@Suite("Client interceptors", .timeLimit(.minutes(1)))
struct ClientInterceptorTests {
    let echoMetadata = ClosureService().unary("Echo") { _, context in
        RawMessage(context.requestMetadata["x-stamp"].map(\.description).joined(separator: ","))
    }

    @Test("metadata interceptors add reaches the server, in the interceptors' order", arguments: TestTransport.allCases)
    func addsMetadata(transport: TestTransport) async throws {
        let interceptors: [any ClientInterceptor] = [
            StampInterceptor(key: "x-stamp", value: "first"), StampInterceptor(key: "x-stamp", value: "second"),
        ]
        try await withServer(transport, services: [echoMetadata], clientInterceptors: interceptors) { client in
            let response = try await client.unary(
                ClosureService.method("Echo"),
                request: RawMessage(""),
                responseType: RawMessage.self
            )
            #expect(response.message.text == "first,second")
        }
    }

    @Test("an interceptor may refuse a call before it is opened", arguments: TestTransport.allCases)
    func refuses(transport: TestTransport) async throws {
        try await withServer(transport, services: [echoMetadata], clientInterceptors: [OfflineInterceptor()]) {
            client in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    ClosureService.method("Echo"),
                    request: RawMessage(""),
                    responseType: RawMessage.self
                )
            }
            #expect(error?.code == .unavailable)
        }
    }
}
