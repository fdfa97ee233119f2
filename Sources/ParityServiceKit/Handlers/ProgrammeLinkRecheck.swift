/// Checks again the programme links stored unverified (ProgrammeService was unavailable when they were
/// written): a programme found is VERIFIED, one ProgrammeService does not know NOT_FOUND; links it still
/// cannot answer for stay UNVERIFIED for the next round.
public struct ProgrammeLinkRecheck: Sendable {
    public let store: any ParityStore
    public let programmes: any ProgrammeDirectory

    public init(store: any ParityStore, programmes: any ProgrammeDirectory) {
        self.store = store
        self.programmes = programmes
    }

    /// What one round did.
    public struct Outcome: Sendable, Hashable {
        public var verified = 0
        public var notFound = 0
        public var stillUnverified = 0

        public init() {}
    }

    /// One round over at most `limit` unverified links.
    public func run(limit: Int = 500) async throws -> Outcome {
        var outcome = Outcome()
        for stored in try await store.eventsWithUnverifiedLinks(limit: limit) {
            let programmeID = stored.event.programmeID
            let status: ProgrammeLinkStatus
            do {
                switch try await programmes.lookUp(programmeID: programmeID) {
                case .found:
                    status = .verified
                    outcome.verified += 1
                case .notFound:
                    status = .notFound
                    outcome.notFound += 1
                }
            } catch is ProgrammeServiceUnavailable {
                outcome.stillUnverified += 1
                continue
            }
            try await store.setProgrammeLink(eventID: stored.id, programmeID: programmeID, status: status)
        }
        return outcome
    }
}
