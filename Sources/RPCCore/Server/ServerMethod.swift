/// One registered method: its descriptor and the code that serves a call to it.
public struct ServerMethod: Sendable {
    public let descriptor: MethodDescriptor
    private let body: @Sendable (any ServerCallStream, ServerContext) async throws -> Void

    public init(
        descriptor: MethodDescriptor,
        body: @escaping @Sendable (any ServerCallStream, ServerContext) async throws -> Void
    ) {
        self.descriptor = descriptor
        self.body = body
    }

    /// Serves one call to the end: runs the handler with the call's deadline in scope, then finishes the
    /// stream with OK or with the status the thrown error maps to. Never throws; every outcome is a status.
    public func serve(_ stream: any ServerCallStream) async {
        let context = ServerContext(stream: stream)
        do {
            try await CallDeadline.$current.withValue(stream.deadline) {
                try await body(stream, context)
            }
            context.finish(with: nil)
        } catch {
            context.finish(with: RPCError(from: error))
        }
    }
}
