/// The outcome of a call as it travels on the wire: `grpc-status` and `grpc-message`.
///
/// Kept apart from ``RPCError``: a status is data in a trailer, an error is what Swift code throws.
public struct Status: Hashable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String

    public init(code: StatusCode, message: String = "") {
        self.code = code
        self.message = message
    }

    public static let ok = Status(code: .ok)

    public var description: String {
        message.isEmpty ? code.name : "\(code.name): \(message)"
    }
}
