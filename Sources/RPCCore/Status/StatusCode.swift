/// A gRPC status code, as gRPC defines them (doc/statuscodes.md).
///
/// A struct over a private enum rather than a public enum, so that matching over it need not be
/// exhaustive and a code received off the wire that we do not know is still representable.
public struct StatusCode: Hashable, Sendable, CustomStringConvertible {
    /// The code's number on the wire (`grpc-status`).
    public let rawValue: Int

    /// Makes a code from its wire number; numbers outside 0...16 map to `unknown`, as gRPC requires.
    public init(rawValue: Int) {
        self.rawValue = (0...16).contains(rawValue) ? rawValue : 2
    }

    private init(_ value: Int) { self.rawValue = value }

    public static let ok = StatusCode(0)
    public static let cancelled = StatusCode(1)
    public static let unknown = StatusCode(2)
    public static let invalidArgument = StatusCode(3)
    public static let deadlineExceeded = StatusCode(4)
    public static let notFound = StatusCode(5)
    public static let alreadyExists = StatusCode(6)
    public static let permissionDenied = StatusCode(7)
    public static let resourceExhausted = StatusCode(8)
    public static let failedPrecondition = StatusCode(9)
    public static let aborted = StatusCode(10)
    public static let outOfRange = StatusCode(11)
    public static let unimplemented = StatusCode(12)
    public static let `internal` = StatusCode(13)
    public static let unavailable = StatusCode(14)
    public static let dataLoss = StatusCode(15)
    public static let unauthenticated = StatusCode(16)

    private static let names = [
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
        "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
        "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
    ]

    /// The code's name as go-grpc-prometheus labels it (`OK`, `NotFound`, …), for metrics and logs.
    public var name: String { Self.names[rawValue] }

    public var description: String { name }
}
