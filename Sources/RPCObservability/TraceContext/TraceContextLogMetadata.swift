import Instrumentation
public import Logging
import W3CTraceContext

extension Logger.MetadataProvider {
    /// `trace_id`, `span_id` and `parent_span_id` of the trace the logging task works in, so every log line of
    /// a traced call can be found from its trace.
    public static let traceContext = Logger.MetadataProvider {
        guard let context = ServiceContext.current, let trace = context.traceContext else { return [:] }
        var metadata: Logger.Metadata = [
            "trace_id": "\(trace.traceID)",
            "span_id": "\(trace.spanID)",
        ]
        if let parent = context[ParentSpanKey.self] { metadata["parent_span_id"] = "\(parent)" }
        return metadata
    }
}
