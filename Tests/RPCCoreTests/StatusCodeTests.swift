import RPCCore
import Testing

@Suite("Status codes")
struct StatusCodeTests {
    @Test(
        "wire numbers map to gRPC's codes and names",
        arguments: [
            (0, "OK"), (1, "Canceled"), (2, "Unknown"), (3, "InvalidArgument"), (4, "DeadlineExceeded"),
            (5, "NotFound"), (8, "ResourceExhausted"), (12, "Unimplemented"), (13, "Internal"),
            (14, "Unavailable"), (16, "Unauthenticated"),
        ]
    )
    func names(rawValue: Int, name: String) {
        #expect(StatusCode(rawValue: rawValue).name == name)
        #expect(StatusCode(rawValue: rawValue).rawValue == rawValue)
    }

    @Test("a number outside 0...16 is UNKNOWN, as gRPC requires", arguments: [-1, 17, 200])
    func outOfRange(rawValue: Int) {
        #expect(StatusCode(rawValue: rawValue) == .unknown)
    }

    @Test("an error that is not an RPCError becomes UNKNOWN with its description")
    func unknownErrors() {
        struct Oops: Error, CustomStringConvertible { var description: String { "oops" } }
        let error = RPCError(from: Oops())
        #expect(error.code == .unknown)
        #expect(error.message == "oops")
    }

    @Test("cancellation becomes CANCELLED")
    func cancellation() {
        #expect(RPCError(from: CancellationError()).code == .cancelled)
    }
}
