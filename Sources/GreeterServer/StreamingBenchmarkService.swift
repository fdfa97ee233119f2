import ProtobufRuntime
import RPCCore
import StandardProtos

/// grpc.testing.TestService reduced to StreamingOutputCall, the server-streaming benchmark workload: the
/// standard interop method every gRPC implementation can serve, so peers are measured on the same bytes.
/// The other methods answer UNIMPLEMENTED; interop-server serves the whole service.
struct StreamingBenchmarkService: Grpc_Testing_TestService.ServiceProtocol {
    /// One response per response parameter, as the interop spec defines it: a COMPRESSABLE payload of
    /// `size` zero bytes, after waiting `interval_us`, compressed when the parameter asks and the client
    /// accepts it; a requested status ends the call before any message.
    func streamingOutputCall(
        request: Grpc_Testing_StreamingOutputCallRequest,
        responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        if let status = request.responseStatus, status.code != 0 {
            throw RPCError(code: StatusCode(rawValue: Int(status.code)), message: status.message)
        }
        if request.responseParameters.contains(where: { $0.compressed?.value == true }) {
            context.compressResponses(with: .gzip)
        }
        for parameters in request.responseParameters {
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(Int(parameters.intervalUs)))
            }
            let response = Grpc_Testing_StreamingOutputCallResponse.with {
                $0.payload = .with {
                    $0.type = .compressable
                    $0.body = [UInt8](repeating: 0, count: max(Int(parameters.size), 0))
                }
            }
            try await responses.write(response, compress: parameters.compressed?.value == true)
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
        requests: RequestStream<Grpc_Testing_StreamingInputCallRequest>,
        context: ServerContext
    ) async throws -> Grpc_Testing_StreamingInputCallResponse {
        throw unimplemented("StreamingInputCall")
    }

    func fullDuplexCall(
        requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
        responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        throw unimplemented("FullDuplexCall")
    }

    func halfDuplexCall(
        requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
        responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        throw unimplemented("HalfDuplexCall")
    }

    func unimplementedCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw unimplemented("UnimplementedCall")
    }

    private func unimplemented(_ method: String) -> RPCError {
        RPCError(
            code: .unimplemented,
            message: "greeter-server serves only StreamingOutputCall of grpc.testing.TestService, not \(method); "
                + "interop-server serves the whole service."
        )
    }
}
