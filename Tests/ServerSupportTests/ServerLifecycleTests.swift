import ArgumentParser
import IsidSync
import IsidTestSupport
import Logging
import NIOCore
import RPCCore
import RPCHTTP2
import ServerSupport
import ServiceLifecycle
import Testing

/// Writes down when lifecycle services start and stop, in order.
final class LifecycleJournal: Sendable {
    private let entries = Lock<[String]>([])
    func record(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

/// A service that records its start, runs until the graceful shutdown reaches it, then records its stop.
struct RecordingService: Service {
    let name: String
    let journal: LifecycleJournal

    func run() async throws {
        journal.record("start \(name)")
        try? await gracefulShutdown()
        journal.record("stop \(name)")
    }
}

@Suite("Server process lifecycle", .timeLimit(.minutes(1)))
struct ServerLifecycleTests {
    @Test("background services start before the RPC server and stop after it; listeners the other way round")
    func order() async throws {
        let journal = LifecycleJournal()
        let options = try ServerOptions.parse(["--port", "0", "--shutdown-grace-seconds", "1"])
        let runner = ServerRunner(name: "lifecycle-test", options: options)
        let process = runner.makeProcess(
            services: [EchoService()],
            backgroundServices: [RecordingService(name: "pool", journal: journal)],
            listeners: [RecordingService(name: "http", journal: journal)],
            onGracefulShutdown: { journal.record("drain begins") }
        )
        let group = ServiceGroup(
            configuration: .init(services: process.services.map { .init(service: $0) }, logger: Logger(label: "test"))
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let port = try await process.server.listeningAddress.port!
            let channel = GRPCChannel(configuration: ClientConfiguration(host: "127.0.0.1", port: port))
            let reply = try await RPCClient(transport: channel).unary(
                Echo.unary,
                request: RawMessage("up"),
                responseType: RawMessage.self
            )
            #expect(reply.message.text == "up")
            await channel.close()
            journal.record("server answered")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let events = journal.all
        #expect(events.first == "start pool")
        #expect(events.last == "stop pool")
        let index = { (event: String) in events.firstIndex(of: event) ?? -1 }
        #expect(index("start pool") < index("start http"))
        #expect(index("drain begins") < index("stop http"))
        #expect(index("server answered") < index("drain begins"))
    }
}
