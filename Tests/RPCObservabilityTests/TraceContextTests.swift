import Instrumentation
import IsidTestSupport
import Logging
import RPCCore
import RPCObservability
import Testing
import W3CTraceContext

@Suite("W3C trace context", .timeLimit(.minutes(1)))
struct TraceContextTests {
    static let traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    let propagator = W3CTraceContextPropagator()

    /// Answers with the trace context its handler runs in: "trace span parent", or "none".
    var reporter: ClosureService {
        ClosureService().unary("Report") { _, _ in
            guard let context = ServiceContext.current, let trace = context.traceContext else {
                return RawMessage("none")
            }
            let parent = context[ParentSpanKey.self].map { "\($0)" } ?? "-"
            return RawMessage("\(trace.traceID) \(trace.spanID) \(parent)")
        }
    }

    func report(_ client: RPCClient, metadata: Metadata) async throws -> [String] {
        let response = try await client.unary(
            ClosureService.method("Report"),
            request: RawMessage(""),
            metadata: metadata,
            responseType: RawMessage.self
        )
        return response.message.text.split(separator: " ").map(String.init)
    }

    @Test(
        "the handler runs in the caller's trace, as a new span whose parent is the caller's span",
        arguments: TestTransport.allCases
    )
    func handlerJoinsTrace(transport: TestTransport) async throws {
        let interceptor = TraceContextServerInterceptor(instrument: propagator)
        try await withServer(transport, services: [reporter], interceptors: [interceptor]) { client in
            let seen = try await report(client, metadata: ["traceparent": .string(Self.traceParent)])
            #expect(seen.count == 3)
            #expect(seen[0] == "0af7651916cd43dd8448eb211c80319c")
            #expect(seen[1] != "b7ad6b7169203331" && seen[1].count == 16)
            #expect(seen[2] == "b7ad6b7169203331")
        }
    }

    @Test(
        "a call without traceparent, or with a malformed one, runs in no trace",
        arguments: [nil, "00-zz-nonsense-01", "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331"]
    )
    func noTrace(traceParent: String?) async throws {
        let interceptor = TraceContextServerInterceptor(instrument: propagator)
        try await withServer(.inProcess, services: [reporter], interceptors: [interceptor]) { client in
            let metadata: Metadata = traceParent.map { ["traceparent": .string($0)] } ?? [:]
            let seen = try await report(client, metadata: metadata)
            #expect(seen == ["none"])
        }
    }

    @Test("a handler's downstream call carries the trace on, its span the downstream call's parent")
    func downstreamCallsCarryTrace() async throws {
        let serverInterceptor = TraceContextServerInterceptor(instrument: propagator)
        let clientInterceptor = TraceContextClientInterceptor(instrument: propagator)
        try await withServer(.inProcess, services: [reporter], interceptors: [serverInterceptor]) { downstream in
            let tracedDownstream = RPCClient(transport: downstream.transport, interceptors: [clientInterceptor])
            let front = ClosureService().unary("Front") { _, _ in
                let mySpan = ServiceContext.current?.traceContext.map { "\($0.spanID)" } ?? "?"
                let seen = try await report(tracedDownstream, metadata: [:])
                return RawMessage(([mySpan] + seen).joined(separator: " "))
            }
            try await withServer(.inProcess, services: [front], interceptors: [serverInterceptor]) { client in
                let response = try await client.unary(
                    ClosureService.method("Front"),
                    request: RawMessage(""),
                    metadata: ["traceparent": .string(Self.traceParent)],
                    responseType: RawMessage.self
                )
                let parts = response.message.text.split(separator: " ").map(String.init)
                #expect(parts.count == 4)
                #expect(parts[1] == "0af7651916cd43dd8448eb211c80319c")
                #expect(parts[3] == parts[0])
            }
        }
    }

    @Test("log lines written inside a traced call carry its trace and span ids")
    func logMetadata() throws {
        var context = ServiceContext.topLevel
        context.traceContext = try TraceContext(traceParentHeaderValue: Self.traceParent)
        let metadata = ServiceContext.withValue(context) { Logger.MetadataProvider.traceContext.get() }
        #expect(metadata["trace_id"]?.description == "0af7651916cd43dd8448eb211c80319c")
        #expect(metadata["span_id"]?.description == "b7ad6b7169203331")
        #expect(Logger.MetadataProvider.traceContext.get().isEmpty)
    }
}
