/// A programme as the store holds it: the programme, and what the store keeps about it.
public struct StoredProgramme: Hashable, Sendable {
    public var programme: Programme
    /// Changes with every write of the programme; callers send it back to have a concurrent change refused.
    public var etag: String
    /// Seconds since the Unix epoch, UTC.
    public var created: Int64
    public var updated: Int64
    /// The change-log revision of the programme's newest change.
    public var revision: Int64

    public init(programme: Programme, etag: String, created: Int64, updated: Int64, revision: Int64) {
        self.programme = programme
        self.etag = etag
        self.created = created
        self.updated = updated
        self.revision = revision
    }
}

/// What a change did to a programme, for its history and the watch stream.
public enum ProgrammeChangeKind: String, Hashable, Sendable, CaseIterable, Codable {
    case created
    case updated
    case statusChanged
    case fundingAdded
    case transactionAdded
    case agreementAdded
    case imported
}

/// Which programmes a list, a portfolio summary or an export covers; every filter set must match.
public struct ProgrammeFilter: Hashable, Sendable {
    /// ISO 3166-1 alpha-3.
    public var country: String?
    public var kind: ProgrammeKind?
    public var status: ProgrammeStatus?
    /// A funding partner, agreement partner or participating organisation of this name (case insensitive).
    public var partner: String?
    public var partnerType: PartnerType?
    /// An SDG goal ("9") or target ("9.2").
    public var sdg: String?
    /// Words that must all appear in the title (case insensitive).
    public var titleWords: [String] = []
    public var parentID: String?
    /// Exactly these programmes.
    public var ids: [String]?

    public init() {}
}

/// Why the store refused a write, in domain terms; the handlers turn it into a gRPC status.
public enum ProgrammeStoreError: Error, Hashable, Sendable {
    case notFound(String)
    /// The etag sent is not the programme's current one.
    case staleEtag(id: String, current: String)
    /// A status change the lifecycle does not allow.
    case illegalTransition(from: ProgrammeStatus, to: ProgrammeStatus)
    /// The parent does not exist, or would make a cycle.
    case invalidParent(String)
}

/// What an IATI import did.
public struct ImportOutcome: Hashable, Sendable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var revision: Int64 = 0

    public init() {}
}
