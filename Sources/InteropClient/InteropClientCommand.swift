import ArgumentParser
import RPCCore
import RPCHTTP2

/// Runs one of gRPC's interop test cases against a server, taking the official client's flags, so
/// Isid's client can be checked against stock gRPC servers.
@main
struct InteropClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interop-client",
        abstract: "Runs a gRPC interop test case against a server.",
        discussion: "Cases: \(InteropCase.allCases.map(\.rawValue).joined(separator: ", "))."
    )

    @Option(name: .customLong("server_host"), help: "Server host.")
    var serverHost = "127.0.0.1"

    @Option(name: .customLong("server_port"), help: "Server port.")
    var serverPort: Int

    @Option(name: .customLong("test_case"), help: "The interop case to run.")
    var testCase: InteropCase

    @Option(name: .customLong("use_tls"), help: "Only false is supported.")
    var useTLS = false

    @Option(name: .customLong("server_host_override"), help: "Ignored (TLS only).")
    var serverHostOverride: String?

    func validate() throws {
        guard !useTLS else { throw ValidationError("--use_tls=true is not supported.") }
    }

    func run() async throws {
        let channel = GRPCChannel(host: serverHost, port: serverPort)
        defer { Task { await channel.close() } }
        do {
            try await testCase.run(with: RPCClient(transport: channel))
        } catch {
            throw ValidationError("\(testCase.rawValue) failed: \(error)")
        }
        await channel.close()
        print("\(testCase.rawValue): passed")
    }
}

extension InteropCase: ExpressibleByArgument {}
