import ArgumentParser
import ServerSupport

/// Serves the benchmark workloads: helloworld.Greeter/SayHello, the unary workload of the public grpc_bench
/// project, and grpc.testing.TestService/StreamingOutputCall, the server-streaming one, so Isid can be
/// measured against other gRPC servers on the same requests.
@main
struct GreeterServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "greeter-server",
        abstract: "Serves the gRPC benchmark workloads: helloworld.Greeter (SayHello) and "
            + "grpc.testing.TestService (StreamingOutputCall).",
        discussion: """
            The other grpc.testing.TestService methods answer UNIMPLEMENTED: interop-server serves the whole \
            service.
            """
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let runner = ServerRunner(name: "greeter-server", options: options)
        runner.bootstrapLogging()
        try await runner.run(services: [Greeter(), StreamingBenchmarkService()])
    }
}
