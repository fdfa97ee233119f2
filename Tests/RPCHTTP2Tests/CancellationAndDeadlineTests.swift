import IsidTestSupport
import NIOCore
import RPCCore
import RPCHTTP2
import Testing

@Suite("Cancellation and deadlines", .timeLimit(.minutes(1)))
struct CancellationAndDeadlineTests {
    @Test("cancelling the client's task resets the stream and cancels the handler's task")
    func clientCancelCancelsHandler() async throws {
        let started = Signal()
        let cancelled = Signal()
        let service = ClosureService().unary("Wait") { request, _ in
            started.raise()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.raise()
                throw error
            }
            return request
        }
        try await withTestServer(services: [service]) { client, _ in
            let call = Task {
                try await client.unary(
                    ClosureService.method("Wait"),
                    request: RawMessage("x"),
                    responseType: RawMessage.self
                )
            }
            await started.wait()
            call.cancel()
            await cancelled.wait()
            let error = await #expect(throws: RPCError.self) { try await call.value }
            #expect(error?.code == .cancelled)
        }
    }

    @Test("the server cancels a handler when the client's grpc-timeout passes")
    func serverEnforcesDeadline() async throws {
        let started = Signal()
        let cancelled = Signal()
        let service = ClosureService().unary("Wait") { request, _ in
            started.raise()
            do {
                try await Task.sleep(for: .seconds(60))
            } catch {
                cancelled.raise()
                throw error
            }
            return request
        }
        try await withTestServer(services: [service]) { client, _ in
            // Long enough for the handler to start even on a loaded machine; a call whose deadline
            // passes before its handler starts never runs it, which is right but not this test.
            async let outcome: Void = {
                let error = await #expect(throws: RPCError.self) {
                    _ = try await client.unary(
                        ClosureService.method("Wait"),
                        request: RawMessage("x"),
                        options: CallOptions(timeout: .seconds(2)),
                        responseType: RawMessage.self
                    )
                }
                #expect(error?.code == .deadlineExceeded)
            }()
            await started.wait()
            await cancelled.wait()
            await outcome
        }
    }

    @Test("a handler's downstream call inherits the handler's deadline")
    func deadlinePropagates() async throws {
        // Downstream reports how much time its caller left it; upstream forwards to downstream.
        let downstream = ClosureService().unary("Remaining") { _, context in
            let remaining = (context.deadline.map { $0 - .now() } ?? .hours(1)).nanoseconds
            return RawMessage(String(remaining))
        }
        try await withTestServer(services: [downstream]) { downstreamClient, _ in
            let upstream = ClosureService().unary("Forward") { request, _ in
                try await downstreamClient.unary(
                    ClosureService.method("Remaining"),
                    request: request,
                    responseType: RawMessage.self
                ).message
            }
            try await withTestServer(services: [upstream]) { client, _ in
                let response = try await client.unary(
                    ClosureService.method("Forward"),
                    request: RawMessage("x"),
                    options: CallOptions(timeout: .seconds(5)),
                    responseType: RawMessage.self
                )
                let remaining = try #require(Int64(response.message.text))
                #expect(remaining > 0)
                #expect(remaining <= 5_000_000_000)
            }
        }
    }

    @Test("a deadline already past fails the call before it starts")
    func pastDeadline() async throws {
        try await withTestServer { client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(
                    Echo.unary,
                    request: RawMessage("x"),
                    options: CallOptions(timeout: .zero),
                    responseType: RawMessage.self
                )
            }
            #expect(error?.code == .deadlineExceeded)
        }
    }
}
