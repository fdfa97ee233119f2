import ProtobufRuntime
public import RPCCore
import StandardProtos

/// gRPC server reflection, both grpc.reflection.v1 and the older v1alpha that many tools still use,
/// answering from the descriptors the generated modules carry.
public struct ReflectionService: RPCService {
    public let index: DescriptorIndex

    public static let v1 = MethodDescriptor(
        service: "grpc.reflection.v1.ServerReflection",
        method: "ServerReflectionInfo",
        kind: .bidirectionalStreaming
    )
    public static let v1alpha = MethodDescriptor(
        service: "grpc.reflection.v1alpha.ServerReflection",
        method: "ServerReflectionInfo",
        kind: .bidirectionalStreaming
    )

    public init(index: DescriptorIndex) {
        self.index = index
    }

    public func registerMethods(with router: inout RPCRouter) {
        let index = self.index
        router.registerBidirectionalStreaming(Self.v1) {
            (
                requests: RequestStream<Grpc_Reflection_V1_ServerReflectionRequest>,
                responses: ResponseWriter<Grpc_Reflection_V1_ServerReflectionResponse>,
                _
            ) in
            var sent = Set<String>()
            for try await request in requests {
                let answer = try ReflectionQuery(request).answer(from: index, sent: &sent)
                try await responses.write(.init(answering: request, with: answer))
            }
        }
        router.registerBidirectionalStreaming(Self.v1alpha) {
            (
                requests: RequestStream<Grpc_Reflection_V1alpha_ServerReflectionRequest>,
                responses: ResponseWriter<Grpc_Reflection_V1alpha_ServerReflectionResponse>,
                _
            ) in
            var sent = Set<String>()
            for try await request in requests {
                let answer = try ReflectionQuery(request).answer(from: index, sent: &sent)
                try await responses.write(.init(answering: request, with: answer))
            }
        }
    }
}

private func missingRequest() -> RPCError {
    RPCError(code: .invalidArgument, message: "ServerReflectionRequest has no message_request set.")
}

extension ReflectionQuery {
    fileprivate init(_ request: Grpc_Reflection_V1_ServerReflectionRequest) throws(RPCError) {
        switch request.messageRequest {
        case .fileByFilename(let name): self = .fileByFilename(name)
        case .fileContainingSymbol(let symbol): self = .fileContainingSymbol(symbol)
        case .fileContainingExtension(let request):
            self = .fileContainingExtension(type: request.containingType, number: request.extensionNumber)
        case .allExtensionNumbersOfType(let type): self = .allExtensionNumbersOfType(type)
        case .listServices: self = .listServices
        case nil: throw missingRequest()
        }
    }

    fileprivate init(_ request: Grpc_Reflection_V1alpha_ServerReflectionRequest) throws(RPCError) {
        switch request.messageRequest {
        case .fileByFilename(let name): self = .fileByFilename(name)
        case .fileContainingSymbol(let symbol): self = .fileContainingSymbol(symbol)
        case .fileContainingExtension(let request):
            self = .fileContainingExtension(type: request.containingType, number: request.extensionNumber)
        case .allExtensionNumbersOfType(let type): self = .allExtensionNumbersOfType(type)
        case .listServices: self = .listServices
        case nil: throw missingRequest()
        }
    }
}

extension Grpc_Reflection_V1_ServerReflectionResponse {
    fileprivate init(answering request: Grpc_Reflection_V1_ServerReflectionRequest, with answer: ReflectionQuery.Answer)
    {
        self.init()
        validHost = request.host
        originalRequest = request
        switch answer {
        case .files(let files):
            fileDescriptorResponse = .with { $0.fileDescriptorProto = files }
        case .extensionNumbers(let type, let numbers):
            allExtensionNumbersResponse = .with {
                $0.baseTypeName = type
                $0.extensionNumber = numbers
            }
        case .services(let names):
            listServicesResponse = .with { $0.service = names.map { name in .with { $0.name = name } } }
        case .error(let code, let message):
            errorResponse = .with {
                $0.errorCode = Int32(code.rawValue)
                $0.errorMessage = message
            }
        }
    }
}

extension Grpc_Reflection_V1alpha_ServerReflectionResponse {
    fileprivate init(
        answering request: Grpc_Reflection_V1alpha_ServerReflectionRequest,
        with answer: ReflectionQuery.Answer
    ) {
        self.init()
        validHost = request.host
        originalRequest = request
        switch answer {
        case .files(let files):
            fileDescriptorResponse = .with { $0.fileDescriptorProto = files }
        case .extensionNumbers(let type, let numbers):
            allExtensionNumbersResponse = .with {
                $0.baseTypeName = type
                $0.extensionNumber = numbers
            }
        case .services(let names):
            listServicesResponse = .with { $0.service = names.map { name in .with { $0.name = name } } }
        case .error(let code, let message):
            errorResponse = .with {
                $0.errorCode = Int32(code.rawValue)
                $0.errorMessage = message
            }
        }
    }
}
