import IsidTestSupport
import ProtobufRuntime
import RPCCore
import RPCErrorDetails
import RPCHTTP2
import StandardProtos
import Testing

@Suite("Rich error details", .timeLimit(.minutes(1)))
struct ErrorDetailsTests {
    @Test("field violations thrown by a handler reach the client as google.rpc.BadRequest")
    func badRequestRoundTrip() async throws {
        let service = ClosureService().unary("Validate") { _, _ in
            throw RPCError.invalidArgument(
                "2 fields are invalid",
                fieldViolations: [("year", "must be between 2000 and 2030"), ("value", "must be finite")]
            )
        }
        try await withTestServer(services: [service]) { client, _ in
            let error = await #expect(throws: RPCError.self) {
                _ = try await client.unary(
                    ClosureService.method("Validate"),
                    request: RawMessage(""),
                    responseType: RawMessage.self
                )
            }
            #expect(error?.code == .invalidArgument)
            #expect(error?.statusDetails?.code == 3)
            let badRequest = try #require(error?.detail(Google_Rpc_BadRequest.self))
            #expect(badRequest.fieldViolations.map(\.field) == ["year", "value"])
            #expect(badRequest.fieldViolations.first?.description == "must be between 2000 and 2030")
        }
    }
}
