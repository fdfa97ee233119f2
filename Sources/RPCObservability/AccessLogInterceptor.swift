public import Logging
public import RPCCore

/// One log line per call, when it ends: method, status, duration, peer and user agent, with the call's trace
/// ids (the trace-context interceptor runs first). The JSON log handler writes it as one JSON object, as access
/// logs of proxies are read.
public struct AccessLogInterceptor: ServerInterceptor {
    public let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func intercept(_ call: ServerCall, next: (ServerCall) async throws -> Void) async throws {
        let started = ContinuousClock.now
        var code = StatusCode.ok
        defer {
            let elapsed = ContinuousClock.now - started
            let context = call.context
            logger.info(
                "rpc",
                metadata: [
                    "grpc_service": .string(context.method.service), "grpc_method": .string(context.method.method),
                    "grpc_code": .string(code.description), "duration_ms": .string(Self.milliseconds(elapsed)),
                    "peer": .string(context.peer),
                    "user_agent": .string(context.requestMetadata.first("user-agent") ?? ""),
                ]
            )
        }
        do {
            try await next(call)
        } catch {
            code = RPCError(from: error).code
            throw error
        }
    }

    /// A duration in milliseconds with microsecond precision, as log readers sort and sum it.
    public static func milliseconds(_ duration: Duration) -> String {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let whole = micros / 1000
        let fraction = String(micros % 1000)
        return "\(whole)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
