import ArgumentParser
import ServerSupport

/// Serves grpc.testing.TestService as gRPC's official interop server does, so stock gRPC clients can
/// run the interop test cases against Isid.
@main
struct InteropServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interop-server",
        abstract: "Serves grpc.testing.TestService for gRPC's interop test cases."
    )

    @OptionGroup var options: ServerOptions

    @Option(name: .customLong("use_tls"), help: "Only false is supported: Isid serves cleartext HTTP/2.")
    var useTLS: Bool = false

    func validate() throws {
        guard !useTLS else { throw ValidationError("--use_tls=true is not supported.") }
    }

    func run() async throws {
        let runner = ServerRunner(name: "interop-server", options: options)
        runner.bootstrapLogging()
        try await runner.run(services: [TestService()])
    }
}
