import ProtobufRuntime
import RPCCore
import StandardProtos

/// grpc.testing.TestService as doc/interop-test-descriptions.md specifies the server side.
struct TestService: Grpc_Testing_TestService.ServiceProtocol {
    func emptyCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        echoMetadata(context)
        return Grpc_Testing_Empty()
    }

    func unaryCall(
        request: Grpc_Testing_SimpleRequest,
        context: ServerContext
    ) async throws -> Grpc_Testing_SimpleResponse {
        echoMetadata(context)
        try checkCompression(expected: request.expectCompressed, context: context)
        try throwRequestedStatus(request.responseStatus)
        if request.responseCompressed?.value == true {
            context.compressResponses(with: .gzip)
        }
        return .with { $0.payload = Payload.zeros(Int(request.responseSize)) }
    }

    func cacheableUnaryCall(
        request: Grpc_Testing_SimpleRequest,
        context: ServerContext
    ) async throws -> Grpc_Testing_SimpleResponse {
        try await unaryCall(request: request, context: context)
    }

    func streamingOutputCall(
        request: Grpc_Testing_StreamingOutputCallRequest,
        responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        echoMetadata(context)
        try await respond(to: request, with: responses, context: context)
    }

    func streamingInputCall(
        requests: RequestStream<Grpc_Testing_StreamingInputCallRequest>,
        context: ServerContext
    ) async throws -> Grpc_Testing_StreamingInputCallResponse {
        echoMetadata(context)
        var total = 0
        for try await request in requests {
            try checkCompression(expected: request.expectCompressed, context: context)
            total += request.payload?.body.count ?? 0
        }
        return .with { $0.aggregatedPayloadSize = Int32(total) }
    }

    func fullDuplexCall(
        requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
        responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        echoMetadata(context)
        for try await request in requests {
            try await respond(to: request, with: responses, context: context)
        }
    }

    func halfDuplexCall(
        requests: RequestStream<Grpc_Testing_StreamingOutputCallRequest>,
        responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        echoMetadata(context)
        var buffered: [Grpc_Testing_StreamingOutputCallRequest] = []
        for try await request in requests { buffered.append(request) }
        for request in buffered {
            try await respond(to: request, with: responses, context: context)
        }
    }

    func unimplementedCall(request: Grpc_Testing_Empty, context: ServerContext) async throws -> Grpc_Testing_Empty {
        throw RPCError(
            code: .unimplemented,
            message: "UnimplementedCall is unimplemented, as the interop tests expect."
        )
    }

    // MARK: Behaviour shared by the methods

    /// Echoes `x-grpc-test-echo-initial` in the response headers and `x-grpc-test-echo-trailing-bin` in
    /// the trailers (the custom_metadata case).
    private func echoMetadata(_ context: ServerContext) {
        for value in context.requestMetadata["x-grpc-test-echo-initial"] {
            if case .string(let text) = value {
                context.addResponseMetadata(["x-grpc-test-echo-initial": .string(text)])
            }
        }
        for value in context.requestMetadata["x-grpc-test-echo-trailing-bin"] {
            if case .binary(let bytes) = value {
                context.addTrailingMetadata(["x-grpc-test-echo-trailing-bin": .binary(bytes)])
            }
        }
    }

    /// The client_compressed cases: a request that says it is compressed must have arrived compressed.
    private func checkCompression(expected: Grpc_Testing_BoolValue?, context: ServerContext) throws {
        if expected?.value == true && !context.lastRequestWasCompressed {
            throw RPCError(code: .invalidArgument, message: "Expected a compressed request message.")
        }
    }

    private func throwRequestedStatus(_ status: Grpc_Testing_EchoStatus?) throws {
        guard let status, status.code != 0 else { return }
        throw RPCError(code: StatusCode(rawValue: Int(status.code)), message: status.message)
    }

    /// Sends one response per response parameter, waiting `interval_us` before each.
    private func respond(
        to request: Grpc_Testing_StreamingOutputCallRequest,
        with responses: ResponseWriter<Grpc_Testing_StreamingOutputCallResponse>,
        context: ServerContext
    ) async throws {
        try throwRequestedStatus(request.responseStatus)
        if request.responseParameters.contains(where: { $0.compressed?.value == true }) {
            context.compressResponses(with: .gzip)
        }
        for parameters in request.responseParameters {
            if parameters.intervalUs > 0 {
                try await Task.sleep(for: .microseconds(Int(parameters.intervalUs)))
            }
            try await responses.write(
                .with { $0.payload = Payload.zeros(Int(parameters.size)) },
                compress: parameters.compressed?.value == true
            )
        }
    }
}

enum Payload {
    /// A COMPRESSABLE payload of `count` zero bytes, as the interop cases ask for.
    static func zeros(_ count: Int) -> Grpc_Testing_Payload {
        .with {
            $0.type = .compressable
            $0.body = [UInt8](repeating: 0, count: max(count, 0))
        }
    }
}
