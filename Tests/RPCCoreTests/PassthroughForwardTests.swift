import IsidSync
import IsidTestSupport
import NIOCore
import RPCCore
import Testing

@Suite("Passthrough: forwarding a call whose shape the route cannot know")
struct PassthroughForwardTests {
    /// The upstream: answers every call with the number of request messages it got and their bytes joined.
    private static let upstream: InProcessTransport = {
        var router = RPCRouter()
        router.registerPassthrough { requests, responses, _ in
            var texts: [String] = []
            for try await message in requests { texts.append(String(buffer: message.bytes)) }
            try await responses.write(
                PassthroughMessage(bytes: ByteBuffer(string: "\(texts.count):\(texts.joined(separator: ","))"))
            )
        }
        return InProcessTransport(router: router)
    }()

    /// The proxy: a catch-all route that forwards every call upstream as it came.
    private static func proxied(_ stream: ScriptedServerStream) async throws {
        var router = RPCRouter()
        let client = RPCClient(transport: upstream)
        router.registerPassthrough { requests, responses, context in
            try await client.forward(requests, to: responses, context: context)
        }
        let method = try #require(router.method(forPath: stream.method.path))
        await method.serve(stream)
    }

    @Test("when every request has arrived, the call is forwarded without waiting on its request stream")
    func allArrived() async throws {
        let stream = ScriptedServerStream(ready: ["a", "b"], ended: true)
        try await Self.proxied(stream)
        #expect(stream.answers == ["2:a,b"])
        #expect(stream.status?.code == .ok)
        #expect(stream.receiveCalls == 0)
    }

    @Test("when requests are still coming, the ones at hand go first and the rest follow as they arrive")
    func stillComing() async throws {
        let stream = ScriptedServerStream(ready: ["a"], ended: false, later: ["b", "c"])
        try await Self.proxied(stream)
        #expect(stream.answers == ["3:a,b,c"])
        #expect(stream.status?.code == .ok)
        #expect(stream.receiveCalls > 0)
    }
}

/// A server call stream whose requests are scripted: `ready` at hand from the start (and the end, if
/// `ended`), then `later` only through `receive()`.
private final class ScriptedServerStream: ServerCallStream {
    private struct State {
        var ready: [String]
        var ended: Bool
        var later: [String]
        var receiveCalls = 0
        var answers: [String] = []
        var status: Status?
    }
    private let state: Lock<State>

    init(ready: [String], ended: Bool, later: [String] = []) {
        state = Lock(State(ready: ready, ended: ended, later: later))
    }

    var receiveCalls: Int { state.withLock { $0.receiveCalls } }
    var answers: [String] { state.withLock { $0.answers } }
    var status: Status? { state.withLock { $0.status } }

    let method = MethodDescriptor(service: "test.Anything", method: "Call", kind: .bidirectionalStreaming)
    let requestMetadata = Metadata()
    let deadline: NIODeadline? = nil
    let peer = "test"
    let acceptedResponseEncodings: [MessageEncoding] = []
    let allocator = ByteBufferAllocator()
    let lastReceivedMessageWasCompressed = false

    func receiveIfReady() throws(RPCError) -> ReadyRequest {
        state.withLock { state in
            if !state.ready.isEmpty { return .message(framedless(state.ready.removeFirst())) }
            return state.ended && state.later.isEmpty ? .end : .notReady
        }
    }

    func receive() async throws(RPCError) -> ByteBuffer? {
        state.withLock { state in
            state.receiveCalls += 1
            if !state.ready.isEmpty { return framedless(state.ready.removeFirst()) }
            if !state.later.isEmpty { return framedless(state.later.removeFirst()) }
            return nil
        }
    }

    func sendHeaders(_ metadata: Metadata, encoding: MessageEncoding?) {}

    func send(framed message: ByteBuffer) async throws(RPCError) {
        var message = message
        message.moveReaderIndex(forwardBy: 5)
        let text = String(buffer: message)
        state.withLock { $0.answers.append(text) }
    }

    func finish(status: Status, trailers: Metadata) {
        state.withLock { $0.status = status }
    }
}

/// A request message as a stream hands it to the core: its bytes, without the gRPC prefix.
private func framedless(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
