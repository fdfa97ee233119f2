import ArgumentParser
import ServerSupport

/// Serves helloworld.Greeter/SayHello: the workload of the public grpc_bench project, so Isid can be
/// measured against other gRPC servers on the same request.
@main
struct GreeterServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "greeter-server",
        abstract: "Serves helloworld.Greeter (SayHello), the gRPC benchmark workload."
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let runner = ServerRunner(name: "greeter-server", options: options)
        runner.bootstrapLogging()
        try await runner.run(services: [Greeter()])
    }
}
