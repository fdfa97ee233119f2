public import IsidAuth
import IsidStorage
public import ParityAPI
public import RPCCore
import RPCErrorDetails

/// Serves isid.parity.v1.ParityService over a ParityStore, checking programme links with a
/// ProgrammeDirectory. One file per RPC group beside this one. Never logs a request: requests carry names.
public struct ParityHandler: Isid_Parity_V1_ParityService.ServiceProtocol, AccessControlledService {
    public let store: any ParityStore
    public let programmes: any ProgrammeDirectory
    public let unverifiedLinks: UnverifiedLinkPolicy
    /// Largest number of parity events in one WatchParityEvents message.
    let watchBatchSize = 200
    /// Compliance reports by filter, for the change log's head: a report evaluates every panel it covers, and
    /// everything it reads (events, panels, participants' counts, policies) is written with a change-log entry.
    let complianceReports = RevisionCache<EventFilter, Isid_Parity_V1_ComplianceReport>(limit: 32)

    public init(
        store: any ParityStore,
        programmes: any ProgrammeDirectory,
        unverifiedLinks: UnverifiedLinkPolicy = .refuse
    ) {
        self.store = store
        self.programmes = programmes
        self.unverifiedLinks = unverifiedLinks
    }

    /// Reads need `parity:read`, writes `parity:write`, and the one answer that names people
    /// `parity:personal`.
    public var accessRules: [MethodDescriptor: AccessRule] {
        typealias Method = Isid_Parity_V1_ParityService.Method
        var rules: [MethodDescriptor: AccessRule] = [:]
        for method in Method.all { rules[method] = .requires(.parityRead) }
        for method in [
            Method.createEvent, Method.updateEvent, Method.createPanel, Method.updatePanel, Method.addParticipant,
            Method.removeParticipant, Method.eraseParticipant, Method.publishPolicy,
        ] {
            rules[method] = .requires(.parityWrite)
        }
        rules[Method.listParticipants] = .requires(.parityPersonal)
        return rules
    }

    /// Who is calling, for the change log: the authenticated subject, or empty.
    var actor: String { Identity.current?.subject ?? "" }

    /// INVALID_ARGUMENT naming `field` when `id` is empty.
    func requireID(_ id: String, field: String) throws {
        if id.isEmpty { throw RPCError.invalidArgument("\(field) is required", fieldViolations: [(field, "required")]) }
    }

    func requireEvent(_ id: String, field: String) async throws -> StoredEvent {
        try requireID(id, field: field)
        guard let stored = try await store.event(id: id) else {
            throw RPCError(code: .notFound, message: "no event \"\(id)\"")
        }
        return stored
    }

    func requirePanel(_ id: String, field: String) async throws -> StoredPanel {
        try requireID(id, field: field)
        guard let stored = try await store.panel(id: id) else {
            throw RPCError(code: .notFound, message: "no panel \"\(id)\"")
        }
        return stored
    }

    /// The status of a link to `programmeID` as ProgrammeService confirms it now: VERIFIED; a programme it
    /// does not know is FAILED_PRECONDITION naming `field`; when it cannot answer, UNAVAILABLE, or UNVERIFIED
    /// if the server stores such links.
    func checkLink(_ programmeID: String, field: String) async throws -> ProgrammeLinkStatus {
        guard !programmeID.isEmpty else { return .none }
        do {
            switch try await programmes.lookUp(programmeID: programmeID) {
            case .found: return .verified
            case .notFound:
                throw RPCError.failedPrecondition(
                    "ProgrammeService has no programme \"\(programmeID)\"",
                    fieldViolations: [(field, "no programme \"\(programmeID)\" in ProgrammeService")]
                )
            }
        } catch let error as ProgrammeServiceUnavailable {
            if unverifiedLinks == .store { return .unverified }
            throw RPCError(
                code: .unavailable,
                message: "ProgrammeService could not confirm programme \"\(programmeID)\" (\(error)); nothing stored"
            )
        }
    }
}
