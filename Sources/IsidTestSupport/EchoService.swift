import NIOCore
public import RPCCore
import RPCHTTP2

/// The methods of `test.Echo`, a service that exists only in tests.
public enum Echo {
    public static let unary = MethodDescriptor(service: "test.Echo", method: "Get", kind: .unary)
    public static let expand = MethodDescriptor(service: "test.Echo", method: "Expand", kind: .serverStreaming)
    public static let collect = MethodDescriptor(service: "test.Echo", method: "Collect", kind: .clientStreaming)
    public static let update = MethodDescriptor(service: "test.Echo", method: "Update", kind: .bidirectionalStreaming)
}

/// Echoes requests back; "fail:<code>" asks for that status, "sleep" waits for cancellation.
public struct EchoService: RPCService {
    public init() {}

    public func registerMethods(with router: inout RPCRouter) {
        router.registerUnary(Echo.unary) { (request: RawMessage, context) -> RawMessage in
            // Commands are short; large requests are binary and only echoed.
            let command = request.bytes.count <= 16 ? request.text : ""
            if command.hasPrefix("fail:"), let code = Int(command.dropFirst(5)) {
                throw RPCError(code: StatusCode(rawValue: code), message: "asked to fail")
            }
            if command == "sleep" {
                try await Task.sleep(for: .seconds(60))
            }
            context.addResponseMetadata(["echo-initial": "yes"])
            context.addTrailingMetadata(["echo-trailing": "yes"])
            return request
        }
        router.registerServerStreaming(Echo.expand) { (request: RawMessage, writer: ResponseWriter<RawMessage>, _) in
            for word in request.text.split(separator: " ") {
                try await writer.write(RawMessage(String(word)))
            }
        }
        router.registerClientStreaming(Echo.collect) { (requests: RequestStream<RawMessage>, _) -> RawMessage in
            var words: [String] = []
            for try await request in requests { words.append(request.text) }
            return RawMessage(words.joined(separator: " "))
        }
        router.registerBidirectionalStreaming(Echo.update) {
            (requests: RequestStream<RawMessage>, writer: ResponseWriter<RawMessage>, _) in
            for try await request in requests { try await writer.write(request) }
        }
    }
}
