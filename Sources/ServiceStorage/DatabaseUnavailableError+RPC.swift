public import IsidStorage
public import RPCCore

/// A call that found the service's database unreachable ends UNAVAILABLE, which clients and the gateway retry
/// (reads) or report, as gRPC means the status: a transient condition.
extension DatabaseUnavailableError: RPCErrorConvertible {
    public var rpcError: RPCError { RPCError(code: .unavailable, message: description) }
}
