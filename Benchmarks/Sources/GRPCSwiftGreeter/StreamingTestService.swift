import GRPCCore

#if canImport(FoundationEssentials)
import FoundationEssentials  // Data, the generated messages' bytes type
#else
import Foundation
#endif

/// grpc.testing.TestService/StreamingOutputCall, the server-streaming workload: one COMPRESSABLE payload
/// of `size` zero bytes per response parameter, after waiting `interval_us`, as the interop spec says.
/// The request's `compressed` and `response_status` fields are ignored: the benchmark asks for neither.
/// The other methods answer UNIMPLEMENTED.
struct StreamingTestService: Grpc_Testing_TestService.SimpleServiceProtocol {
    func streamingOutputCall(
        request: Grpc_Testing_StreamingOutputCallRequest,
        response: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        for parameters in request.responseParameters {
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(Int(parameters.intervalUs)))
            }
            var message = Grpc_Testing_StreamingOutputCallResponse()
            message.payload.type = .compressable
            message.payload.body = Data(count: max(Int(parameters.size), 0))
            try await response.write(message)
        }
    }

    func emptyCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw unimplemented("EmptyCall")
    }

    func unaryCall(
        request: Grpc_Testing_SimpleRequest,
        context: ServerContext
    ) async throws -> Grpc_Testing_SimpleResponse {
        throw unimplemented("UnaryCall")
    }

    func cacheableUnaryCall(
        request: Grpc_Testing_SimpleRequest,
        context: ServerContext
    ) async throws -> Grpc_Testing_SimpleResponse {
        throw unimplemented("CacheableUnaryCall")
    }

    func streamingInputCall(
        request: RPCAsyncSequence<Grpc_Testing_StreamingInputCallRequest, any Error>,
        context: ServerContext
    ) async throws -> Grpc_Testing_StreamingInputCallResponse {
        throw unimplemented("StreamingInputCall")
    }

    func fullDuplexCall(
        request: RPCAsyncSequence<Grpc_Testing_StreamingOutputCallRequest, any Error>,
        response: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        throw unimplemented("FullDuplexCall")
    }

    func halfDuplexCall(
        request: RPCAsyncSequence<Grpc_Testing_StreamingOutputCallRequest, any Error>,
        response: RPCWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        throw unimplemented("HalfDuplexCall")
    }

    func unimplementedCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw unimplemented("UnimplementedCall")
    }

    private func unimplemented(_ method: String) -> RPCError {
        RPCError(code: .unimplemented, message: "grpc-swift-greeter serves only StreamingOutputCall, not \(method)")
    }
}
