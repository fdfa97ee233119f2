// grpc-swift-greeter: helloworld.Greeter/SayHello and
// grpc.testing.TestService/StreamingOutputCall (StreamingTestService.swift) on
// grpc-swift-2 with grpc-swift-nio-transport's HTTP/2 (NIO Posix) server, a
// benchmark peer.
//
// Follows Isid's server contract: --host (default 127.0.0.1) and --port (0
// picks a free port), also from ISID_HOST/ISID_PORT; prints exactly one line
// "listening on HOST:PORT" on stdout once it accepts connections; SIGTERM
// begins a graceful shutdown and it exits 0. Replies "Hello " + name.
import Dispatch
import GRPCCore
import GRPCNIOTransportHTTP2

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct Greeter: Helloworld_Greeter.SimpleServiceProtocol {
    func sayHello(
        request: Helloworld_HelloRequest,
        context: ServerContext
    ) async throws -> Helloworld_HelloReply {
        var reply = Helloworld_HelloReply()
        reply.message = "Hello " + request.name
        return reply
    }
}

/// Writes straight to a file descriptor: no stdio buffer to flush (and no
/// global `stdout`, which Swift 6 rejects as shared mutable state).
func writeLine(_ line: String, to fd: Int32) {
    let bytes = Array((line + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
        if written <= 0 { return }
        offset += written
    }
}

func usage() -> Never {
    writeLine("usage: grpc-swift-greeter [--host HOST] [--port PORT]", to: 2)
    exit(2)
}

func environment(_ name: String) -> String? {
    guard let value = getenv(name), value.pointee != 0 else { return nil }
    return String(cString: value)
}

var host = environment("ISID_HOST") ?? "127.0.0.1"
var port = Int(environment("ISID_PORT") ?? "50051") ?? 50051
var arguments = CommandLine.arguments.dropFirst()[...]
while let argument = arguments.popFirst() {
    switch argument {
    case "--host":
        guard let value = arguments.popFirst() else { usage() }
        host = value
    case "--port":
        guard let value = arguments.popFirst(), let parsed = Int(value) else { usage() }
        port = parsed
    default:
        usage()
    }
}

/// Serves until SIGTERM or SIGINT begins a graceful shutdown. A function of its
/// own, not top-level code: the signal handlers must not be main-actor closures,
/// since they run on a dispatch queue.
func serve(host: String, port: Int) async throws {
    let transport = HTTP2ServerTransport.Posix(
        address: .ipv4(host: host, port: port),
        transportSecurity: .plaintext
    )
    let server = GRPCServer(transport: transport, services: [Greeter(), StreamingTestService()])

    signal(SIGTERM, SIG_IGN)
    signal(SIGINT, SIG_IGN)
    let signalQueue = DispatchQueue(label: "signals")
    let signalSources = [SIGTERM, SIGINT].map { number in
        let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
        source.setEventHandler { server.beginGracefulShutdown() }
        source.resume()
        return source
    }
    defer { signalSources.forEach { $0.cancel() } }

    try await withThrowingDiscardingTaskGroup { group in
        group.addTask { try await server.serve() }
        let address = try await transport.listeningAddress
        guard let ipv4 = address.ipv4 else {
            throw RPCError(code: .internalError, message: "not listening on IPv4: \(address)")
        }
        writeLine("listening on \(ipv4.host):\(ipv4.port)", to: 1)
    }
}

try await serve(host: host, port: port)
