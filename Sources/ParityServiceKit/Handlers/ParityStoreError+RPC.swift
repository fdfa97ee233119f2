import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ParityStoreError: RPCErrorConvertible {
    /// NOT_FOUND; ABORTED for a stale etag (read again, then retry); FAILED_PRECONDITION with field
    /// violations for what the stored state refuses.
    public var rpcError: RPCError {
        switch self {
        case .notFound(let kind, let id):
            RPCError(code: .notFound, message: "no \(kind) \"\(id)\"")
        case .staleEtag(let kind, let id, let current):
            RPCError(
                code: .aborted,
                message: "\(kind) \"\(id)\" changed since that etag (now \"\(current)\"): read it again and retry"
            )
        case .panelOfAnotherEvent(let panelID, let eventID, let actualEventID):
            RPCError.failedPrecondition(
                "panel \"\(panelID)\" belongs to event \"\(actualEventID)\", not \"\(eventID)\"",
                fieldViolations: [("panel_id", "a panel of event \"\(actualEventID)\", not of event \"\(eventID)\"")]
            )
        case .participantNotOnPanel(let participantID, let panelID):
            RPCError(code: .notFound, message: "no participant \"\(participantID)\" on panel \"\(panelID)\"")
        case .erasureNotYetWiped(let participantID):
            RPCError(
                code: .unavailable,
                message: "participant \"\(participantID)\" is erased from the tables, but an older copy may remain in "
                    + "the database's files while readers finish: call EraseParticipant again"
            )
        case .policyOutOfOrder(let problem):
            RPCError.failedPrecondition(
                "the new version's effective date \(problem)",
                fieldViolations: [("policy.effective_date", problem)]
            )
        }
    }
}

extension RPCError {
    /// FAILED_PRECONDITION with a google.rpc.BadRequest naming the fields the stored state refuses.
    static func failedPrecondition(
        _ message: String,
        fieldViolations: [(field: String, description: String)]
    ) -> RPCError {
        let badRequest = Google_Rpc_BadRequest.with {
            $0.fieldViolations = fieldViolations.map { violation in
                .with {
                    $0.field = violation.field
                    $0.description = violation.description
                }
            }
        }
        return RPCError(code: .failedPrecondition, message: message, details: [badRequest])
    }
}
