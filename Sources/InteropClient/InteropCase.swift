import NIOCore
import ProtobufRuntime
import RPCCore
import StandardProtos

/// The interop cases of gRPC's doc/interop-test-descriptions.md that Isid's client runs.
enum InteropCase: String, CaseIterable, Sendable {
    case emptyUnary = "empty_unary"
    case largeUnary = "large_unary"
    case clientCompressedUnary = "client_compressed_unary"
    case serverCompressedUnary = "server_compressed_unary"
    case clientStreaming = "client_streaming"
    case serverStreaming = "server_streaming"
    case pingPong = "ping_pong"
    case emptyStream = "empty_stream"
    case timeoutOnSleepingServer = "timeout_on_sleeping_server"
    case cancelAfterBegin = "cancel_after_begin"
    case cancelAfterFirstResponse = "cancel_after_first_response"
    case customMetadata = "custom_metadata"
    case statusCodeAndMessage = "status_code_and_message"
    case specialStatusMessage = "special_status_message"
    case unimplementedMethod = "unimplemented_method"
    case unimplementedService = "unimplemented_service"

    func run(with rpc: RPCClient) async throws {
        let client = Grpc_Testing_TestService.Client(rpc)
        switch self {
        case .emptyUnary: try await InteropCases.emptyUnary(client)
        case .largeUnary: try await InteropCases.largeUnary(client)
        case .clientCompressedUnary: try await InteropCases.clientCompressedUnary(client)
        case .serverCompressedUnary: try await InteropCases.serverCompressedUnary(client)
        case .clientStreaming: try await InteropCases.clientStreaming(client)
        case .serverStreaming: try await InteropCases.serverStreaming(client)
        case .pingPong: try await InteropCases.pingPong(client)
        case .emptyStream: try await InteropCases.emptyStream(client)
        case .timeoutOnSleepingServer: try await InteropCases.timeoutOnSleepingServer(client)
        case .cancelAfterBegin: try await InteropCases.cancelAfterBegin(client)
        case .cancelAfterFirstResponse: try await InteropCases.cancelAfterFirstResponse(client)
        case .customMetadata: try await InteropCases.customMetadata(client)
        case .statusCodeAndMessage: try await InteropCases.statusCodeAndMessage(client)
        case .specialStatusMessage: try await InteropCases.specialStatusMessage(client)
        case .unimplementedMethod: try await InteropCases.unimplementedMethod(client)
        case .unimplementedService:
            try await InteropCases.unimplementedService(Grpc_Testing_UnimplementedService.Client(rpc))
        }
    }
}

/// A case's expectation that did not hold.
struct InteropFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw InteropFailure(message()) }
}

/// Runs `body` and checks that it fails with `code` (and `message`, when given).
func expectStatus(_ code: StatusCode, message: String? = nil, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as RPCError {
        try expect(error.code == code, "expected status \(code), got \(error)")
        if let message {
            try expect(
                error.message == message,
                "expected message \(message.debugDescription), got \(error.message.debugDescription)"
            )
        }
        return
    }
    throw InteropFailure("expected status \(code), but the call succeeded")
}

func payload(_ size: Int) -> Grpc_Testing_Payload {
    .with { $0.body = [UInt8](repeating: 0, count: size) }
}

func streamingRequest(responseSize: Int, payloadSize: Int) -> Grpc_Testing_StreamingOutputCallRequest {
    .with {
        $0.responseParameters = [.with { $0.size = Int32(responseSize) }]
        $0.payload = payload(payloadSize)
    }
}
