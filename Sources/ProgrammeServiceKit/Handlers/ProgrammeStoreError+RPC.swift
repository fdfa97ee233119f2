public import RPCCore
import RPCErrorDetails

extension ProgrammeStoreError: RPCErrorConvertible {
    /// NOT_FOUND; ABORTED for a stale etag (read again, then retry); FAILED_PRECONDITION naming the allowed
    /// statuses; INVALID_ARGUMENT for a bad parent.
    public var rpcError: RPCError {
        switch self {
        case .notFound(let id):
            RPCError(code: .notFound, message: "no programme \"\(id)\"")
        case .staleEtag(let id, let current):
            RPCError(
                code: .aborted,
                message: "programme \"\(id)\" changed since that etag (now \"\(current)\"): read it again and retry"
            )
        case .illegalTransition(let from, let to):
            RPCError(
                code: .failedPrecondition,
                message:
                    "a programme cannot go from \(from.apiName) to \(to.apiName); from \(from.apiName) it may go to "
                    + (from.allowedNext.isEmpty
                        ? "nothing (final)" : from.allowedNext.map(\.apiName).joined(separator: ", "))
            )
        case .invalidParent(let reason):
            RPCError.invalidArgument("invalid parent_id: \(reason)", fieldViolations: [("programme.parent_id", reason)])
        }
    }
}
