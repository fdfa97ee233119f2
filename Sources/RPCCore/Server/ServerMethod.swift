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
    /// The observer, if any, hears the call start and finish.
    public func serve(_ stream: any ServerCallStream, observer: (any ServerCallObserver)? = nil) async {
        let context = ServerContext(stream: stream)
        let start = observer.map { observer in
            observer.callStarted(descriptor)
            return ContinuousClock.now
        }
        let code: StatusCode
        do {
            try await CallDeadline.$current.withValue(stream.deadline) {
                try await body(stream, context)
            }
            context.finish(with: nil)
            code = .ok
        } catch {
            let error = RPCError(from: error)
            context.finish(with: error)
            code = error.code
        }
        if let observer, let start {
            observer.callFinished(descriptor, code: code, duration: ContinuousClock.now - start)
        }
    }
}
