import ProtobufRuntime
import RPCCore
import StandardProtos

/// Answers `SayHello` with "Hello " and the name, as grpc_bench's servers do.
struct Greeter: Helloworld_Greeter.ServiceProtocol {
    func sayHello(request: Helloworld_HelloRequest, context: ServerContext) async throws -> Helloworld_HelloReply {
        .with { $0.message = "Hello " + request.name }
    }
}
