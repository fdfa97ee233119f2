/// Where a programme stands, and the only moves its lifecycle allows.
public enum ProgrammeStatus: String, Hashable, Sendable, Codable, CaseIterable {
    case pipeline
    case approved
    case ongoing
    case suspended
    case finalisation
    case closed
    case cancelled

    /// The statuses a programme in this one may move to.
    public var allowedNext: [ProgrammeStatus] {
        switch self {
        case .pipeline: return [.approved, .cancelled]
        case .approved: return [.ongoing, .suspended, .cancelled]
        case .ongoing: return [.suspended, .finalisation, .cancelled]
        case .suspended: return [.ongoing, .finalisation, .cancelled]
        // Work may reopen before the accounts are closed.
        case .finalisation: return [.closed, .ongoing]
        case .closed, .cancelled: return []
        }
    }

    public func canMove(to next: ProgrammeStatus) -> Bool { allowedNext.contains(next) }

    /// The IATI 2.03 ActivityStatus code: APPROVED, which IATI does not tell apart, is 1 (pipeline).
    public var iatiCode: Int {
        switch self {
        case .pipeline, .approved: return 1
        case .ongoing: return 2
        case .finalisation: return 3
        case .closed: return 4
        case .cancelled: return 5
        case .suspended: return 6
        }
    }

    /// The status an IATI ActivityStatus code means; nil for a code outside 1 to 6.
    public init?(iatiCode: Int) {
        switch iatiCode {
        case 1: self = .pipeline
        case 2: self = .ongoing
        case 3: self = .finalisation
        case 4: self = .closed
        case 5: self = .cancelled
        case 6: self = .suspended
        default: return nil
        }
    }
}

extension ProgrammeStatus {
    /// The status as the API spells it, e.g. "ONGOING".
    public var apiName: String {
        switch self {
        case .pipeline: "PIPELINE"
        case .approved: "APPROVED"
        case .ongoing: "ONGOING"
        case .suspended: "SUSPENDED"
        case .finalisation: "FINALISATION"
        case .closed: "CLOSED"
        case .cancelled: "CANCELLED"
        }
    }
}
