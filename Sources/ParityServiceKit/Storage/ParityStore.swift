public import IsidStorage

/// An event as stored: with its id, etag and times (seconds since the Unix epoch).
public struct StoredEvent: Hashable, Sendable {
    public var id: String
    public var event: Event
    public var etag: String
    public var created: Int64
    public var updated: Int64
}

/// A panel as stored, with its participants' ids and counts (never their names).
public struct StoredPanel: Hashable, Sendable {
    public var id: String
    public var panel: Panel
    public var participantIDs: [String]
    public var counts: ParticipantCounts
    public var etag: String
    public var created: Int64
    public var updated: Int64
}

/// A participant as stored; name and organisation are empty once erased.
public struct StoredParticipant: Hashable, Sendable {
    public var id: String
    public var panelID: String
    public var participant: Participant
    public var erased: Bool
}

/// Which events a list or report takes.
public struct EventFilter: Sendable, Hashable {
    public var year: Int?
    public var kind: EventKind?
    public var programmeID: String?
    public var includeExamples = false
    /// Events whose earliest start day is in [from, through]; both inclusive, either open.
    public var from: PartialDate.Day?
    public var through: PartialDate.Day?

    public init() {}
}

/// What a store refuses, for the handlers to turn into gRPC statuses.
public enum ParityStoreError: Error, Hashable, Sendable {
    case notFound(kind: String, id: String)
    case staleEtag(kind: String, id: String, current: String)
    /// The panel named belongs to another event than the one named.
    case panelOfAnotherEvent(panelID: String, eventID: String, actualEventID: String)
    case participantNotOnPanel(participantID: String, panelID: String)
    /// A new version's effective date must follow the latest one's.
    case policyOutOfOrder(String)
    /// The erasure is committed, but an older copy may remain in the database's files: on SQLite in the
    /// write-ahead log, which readers kept busy; on PostgreSQL as the row's dead version, which the VACUUM
    /// after the commit failed to remove. Erasing again removes it.
    case erasureNotYetWiped(participantID: String)
}

/// Where ParityService keeps events, panels, participants, policy versions and the change log:
/// `SQLiteParityStore` or `PostgresParityStore`, which decide every write alike through `ParityWrite`. Every
/// write is one transaction with its change-log entries, including the compliance changes it causes; an etag
/// is the revision of the last change to what it names.
public protocol ParityStore: ChangeSource, MigratedStore where Record == ParityChange {
    /// Whether no event and no policy is stored yet (a new database that needs seeding).
    func isEmpty() async throws -> Bool
    /// Runs `body` while no other process runs it on the same database, so that replicas starting together on
    /// a new database seed it once (see ``ParitySeed/applyIfEmpty(to:)``).
    func whileSeeding<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result

    func createEvent(_ event: Event, actor: String) async throws -> StoredEvent
    func event(id: String) async throws -> StoredEvent?
    /// Events matching `filter`, ordered by start day (undated last) then id, after the event `afterID`.
    func events(matching filter: EventFilter, afterID: String?, limit: Int) async throws -> [StoredEvent]
    /// Reads the event, lets `change` modify it and writes it back in one transaction; panels whose verdict
    /// changes with it get compliance changes.
    func modifyEvent(
        id: String,
        expectedEtag: String?,
        fields: [String],
        actor: String,
        change: @Sendable (inout Event) throws -> Void
    ) async throws -> StoredEvent
    /// Events whose programme link is unverified, for the recheck.
    func eventsWithUnverifiedLinks(limit: Int) async throws -> [StoredEvent]
    /// Sets the link status if the event still names `programmeID` (a concurrent update wins).
    func setProgrammeLink(eventID: String, programmeID: String, status: ProgrammeLinkStatus) async throws

    func createPanel(_ panel: Panel, actor: String) async throws -> StoredPanel
    func panel(id: String) async throws -> StoredPanel?
    func panels(eventID: String) async throws -> [StoredPanel]
    func modifyPanel(
        id: String,
        expectedEtag: String?,
        fields: [String],
        actor: String,
        change: @Sendable (inout Panel) throws -> Void
    ) async throws -> StoredPanel

    /// Adds a participant to the panel, which must belong to `eventID`.
    func addParticipant(
        _ participant: Participant,
        eventID: String,
        panelID: String,
        expectedEtag: String?,
        actor: String
    ) async throws -> (participantID: String, panel: StoredPanel)
    func removeParticipant(
        id: String,
        panelID: String,
        expectedEtag: String?,
        actor: String
    ) async throws -> StoredPanel
    func participants(panelID: String) async throws -> [StoredParticipant]
    /// Blanks the participant's name and organisation in place and wipes them from the database files.
    func eraseParticipant(id: String, actor: String) async throws -> StoredParticipant

    func policies() async throws -> [PolicyVersion]
    /// Numbers and stores a new version; refused unless it takes effect after the latest.
    func publishPolicy(_ policy: PolicyVersion, actor: String) async throws -> PolicyVersion
}
