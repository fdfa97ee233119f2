public import Instrumentation
public import W3CTraceContext

/// The W3C Trace Context of the current call, in the task's `ServiceContext`.
public enum TraceContextKey: ServiceContextKey {
    public typealias Value = TraceContext
    public static var nameOverride: String? { "w3c-trace-context" }
}

extension ServiceContext {
    /// The W3C trace context this task works in, if a caller sent one.
    public var traceContext: TraceContext? {
        get { self[TraceContextKey.self] }
        set { self[TraceContextKey.self] = newValue }
    }
}

/// Reads and writes W3C `traceparent`/`tracestate` as swift-distributed-tracing's ``Instrument``: what
/// carries a trace across Isid's calls when no tracer is installed. A malformed `traceparent` is ignored,
/// as the W3C recommendation says (the call starts no trace rather than failing).
public struct W3CTraceContextPropagator: Instrument {
    public static let traceParentKey = "traceparent"
    public static let traceStateKey = "tracestate"

    public init() {}

    public func extract<Carrier, Extract>(
        _ carrier: Carrier,
        into context: inout ServiceContext,
        using extractor: Extract
    ) where Extract: Extractor, Extract.Carrier == Carrier {
        guard let parent = extractor.extract(key: Self.traceParentKey, from: carrier) else { return }
        let state = extractor.extract(key: Self.traceStateKey, from: carrier)
        guard let trace = try? TraceContext(traceParentHeaderValue: parent, traceStateHeaderValue: state) else {
            return
        }
        context.traceContext = trace
    }

    public func inject<Carrier, Inject>(
        _ context: ServiceContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject: Injector, Inject.Carrier == Carrier {
        guard let trace = context.traceContext else { return }
        injector.inject(trace.traceParentHeaderValue, forKey: Self.traceParentKey, into: &carrier)
        if let state = trace.traceStateHeaderValue {
            injector.inject(state, forKey: Self.traceStateKey, into: &carrier)
        }
    }
}
