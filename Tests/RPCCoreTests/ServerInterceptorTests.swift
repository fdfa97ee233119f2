import IsidSync
import IsidTestSupport
import RPCCore
import Testing

/// Writes down what interceptors and handlers did, in order.
final class Journal: Sendable {
    private let entries = Lock<[String]>([])
    func record(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

/// Records its name around the rest of the chain.
struct RecordingInterceptor: ServerInterceptor {
    let name: String
    let journal: Journal
    var only: String?

    func applies(to method: MethodDescriptor) -> Bool { only.map { $0 == method.method } ?? true }

    func intercept(_ call: ServerCall, next: (ServerCall) async throws -> Void) async throws {
        journal.record("\(name) in \(call.method.method)")
        try await next(call)
        journal.record("\(name) out")
    }
}

/// Refuses every call whose metadata lacks `x-pass`.
struct GateInterceptor: ServerInterceptor {
    func intercept(_ call: ServerCall, next: (ServerCall) async throws -> Void) async throws {
        guard call.requestMetadata.first("x-pass") != nil else {
            throw RPCError(code: .permissionDenied, message: "no pass", metadata: ["x-why": "gate"])
        }
        try await next(call)
    }
}

enum Caller {
    @TaskLocal static var name: String?
}

/// Binds a task-local the handler reads.
struct BindingInterceptor: ServerInterceptor {
    func intercept(_ call: ServerCall, next: (ServerCall) async throws -> Void) async throws {
        try await Caller.$name.withValue(call.requestMetadata.first("x-caller")) { try await next(call) }
    }
}

@Suite("Server interceptors", .timeLimit(.minutes(1)))
struct ServerInterceptorTests {
    let journal = Journal()

    func service() -> ClosureService {
        let journal = self.journal
        return ClosureService()
            .unary("Get") { request, _ in
                journal.record("handler")
                return request
            }
            .unary("Other") { request, _ in request }
            .unary("WhoAmI") { _, _ in RawMessage(Caller.name ?? "nobody") }
    }

    @Test("interceptors run in the order given, the first outermost", arguments: TestTransport.allCases)
    func order(transport: TestTransport) async throws {
        let interceptors: [any ServerInterceptor] = [
            RecordingInterceptor(name: "a", journal: journal), RecordingInterceptor(name: "b", journal: journal),
        ]
        try await withServer(transport, services: [service()], interceptors: interceptors) { client in
            _ = try await client.unary(
                ClosureService.method("Get"),
                request: RawMessage("hi"),
                responseType: RawMessage.self
            )
        }
        #expect(journal.all == ["a in Get", "b in Get", "handler", "b out", "a out"])
    }

    @Test(
        "an interceptor that throws ends the call with its status and trailers; the handler never runs",
        arguments: TestTransport.allCases
    )
    func rejection(transport: TestTransport) async throws {
        try await withServer(transport, services: [service()], interceptors: [GateInterceptor()]) { client in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    ClosureService.method("Get"),
                    request: RawMessage("hi"),
                    responseType: RawMessage.self
                )
            }
            #expect(error?.code == .permissionDenied)
            #expect(error?.message == "no pass")
            #expect(error?.metadata.first("x-why") == "gate")
            let response = try await client.unary(
                ClosureService.method("Get"),
                request: RawMessage("hi"),
                metadata: ["x-pass": "1"],
                responseType: RawMessage.self
            )
            #expect(response.message.text == "hi")
        }
        #expect(journal.all == ["handler"])
    }

    @Test("what an interceptor binds around the call, the handler sees", arguments: TestTransport.allCases)
    func binding(transport: TestTransport) async throws {
        try await withServer(transport, services: [service()], interceptors: [BindingInterceptor()]) { client in
            let response = try await client.unary(
                ClosureService.method("WhoAmI"),
                request: RawMessage(""),
                metadata: ["x-caller": "ops"],
                responseType: RawMessage.self
            )
            #expect(response.message.text == "ops")
        }
    }

    @Test("an interceptor that does not apply to a method costs its calls nothing", arguments: TestTransport.allCases)
    func appliesTo(transport: TestTransport) async throws {
        let interceptors = [RecordingInterceptor(name: "a", journal: journal, only: "Get")]
        try await withServer(transport, services: [service()], interceptors: interceptors) { client in
            _ = try await client.unary(
                ClosureService.method("Other"),
                request: RawMessage(""),
                responseType: RawMessage.self
            )
        }
        #expect(journal.all.isEmpty)
    }
}
