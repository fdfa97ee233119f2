public import Instrumentation
public import RPCCore
public import W3CTraceContext

/// Reads the caller's trace context (W3C `traceparent`/`tracestate`, or whatever the installed instrument
/// propagates) on every call, and runs the handler in it, so log lines carry the trace id and calls the
/// handler makes carry the trace on.
///
/// With a W3C trace context, the call becomes a span of its own: same trace, a new span id, whose parent is
/// the caller's span. A call with no trace context costs one metadata lookup and binds nothing.
public struct TraceContextServerInterceptor: ServerInterceptor {
    private let instrument: any Instrument

    /// `instrument`: the process's (`InstrumentationSystem.instrument`) unless a test passes its own.
    public init(instrument: (any Instrument)? = nil) {
        self.instrument = instrument ?? InstrumentationSystem.instrument
    }

    public func intercept(_ call: ServerCall, next: (ServerCall) async throws -> Void) async throws {
        // The usual case, with the W3C propagator: no traceparent, nothing to extract or bind. Asking the
        // metadata directly skips a generic call through the instrument existential on every call.
        if instrument is W3CTraceContextPropagator,
            call.requestMetadata.first(W3CTraceContextPropagator.traceParentKey) == nil
        {
            try await next(call)
            return
        }
        var context = ServiceContext.topLevel
        instrument.extract(call.requestMetadata, into: &context, using: MetadataExtractor())
        guard let caller = context.traceContext else {
            try await next(call)
            return
        }
        context.traceContext = TraceContext(
            traceID: caller.traceID,
            spanID: .random(),
            flags: caller.flags,
            state: caller.state
        )
        context[ParentSpanKey.self] = caller.spanID
        try await ServiceContext.withValue(context) { try await next(call) }
    }
}

/// The span id of the caller's span, for logs.
public enum ParentSpanKey: ServiceContextKey {
    public typealias Value = SpanID
    public static var nameOverride: String? { "parent-span-id" }
}

/// Puts the trace context of the task making a call (the handler's, when a server calls downstream) into the
/// call's metadata.
public struct TraceContextClientInterceptor: ClientInterceptor {
    private let instrument: any Instrument

    public init(instrument: (any Instrument)? = nil) {
        self.instrument = instrument ?? InstrumentationSystem.instrument
    }

    public func intercept(
        _ request: ClientCallRequest,
        next: (ClientCallRequest) async throws(RPCError) -> any ClientCallStream
    ) async throws(RPCError) -> any ClientCallStream {
        guard let context = ServiceContext.current else { return try await next(request) }
        var request = request
        instrument.inject(context, into: &request.metadata, using: MetadataInjector())
        return try await next(request)
    }
}
