/// The error a handler throws, or a client call throws, to end a call with a status other than OK.
public struct RPCError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    /// Trailing metadata sent with (or received with) the status, such as `grpc-status-details-bin`.
    public var metadata: Metadata
    /// What caused the error on this side, if anything; never sent to the peer.
    public var cause: (any Error & Sendable)?

    public init(
        code: StatusCode,
        message: String,
        metadata: Metadata = [:],
        cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.metadata = metadata
        self.cause = cause
    }

    public init(status: Status, metadata: Metadata = [:]) {
        self.init(code: status.code, message: status.message, metadata: metadata)
    }

    public var status: Status { Status(code: code, message: message) }

    public var description: String {
        message.isEmpty ? "RPCError(\(code.name))" : "RPCError(\(code.name)): \(message)"
    }

    public static func == (lhs: RPCError, rhs: RPCError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.metadata == rhs.metadata
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(message)
        hasher.combine(metadata)
    }
}

/// An error a service can throw to choose the status its call ends with, without depending on ``RPCError``.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError {
    /// Maps any error a handler throws to the status the peer sees.
    ///
    /// Errors that say what status they mean keep it; anything else is UNKNOWN with its description,
    /// as gRPC's reference servers answer an unexpected exception.
    public init(from error: any Error) {
        switch error {
        case let error as RPCError:
            self = error
        case let error as any RPCErrorConvertible:
            self = error.rpcError
        case is CancellationError:
            self.init(code: .cancelled, message: "The call was cancelled.")
        default:
            self.init(code: .unknown, message: String(describing: error))
        }
    }
}
