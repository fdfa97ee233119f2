public import RPCCore
import RPCErrorDetails

extension IndicatorError: RPCErrorConvertible {
    /// NOT_FOUND with the message; INVALID_ARGUMENT with a google.rpc.BadRequest listing each field violation.
    public var rpcError: RPCError {
        switch self {
        case .notFound(let message):
            RPCError(code: .notFound, message: message)
        case .invalid(let message, let violations):
            RPCError.invalidArgument(message, fieldViolations: violations.map { ($0.field, $0.description) })
        }
    }
}
