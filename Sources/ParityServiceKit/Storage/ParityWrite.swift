import IsidStorage

/// What each write decides, whichever database it runs on: the checks, the parity events it appends, and how
/// an etag follows from a revision. The stores read and write rows around these inside one transaction, so
/// SQLite and PostgreSQL refuse the same writes and give the same revisions and etags.
enum ParityWrite {
    /// `stored`, unless it is missing or `expectedEtag` (when given) is no longer its etag.
    static func require<Stored: EtaggedRecord>(
        _ stored: Stored?,
        kind: String,
        id: String,
        expectedEtag: String?
    ) throws -> Stored {
        guard let stored else { throw ParityStoreError.notFound(kind: kind, id: id) }
        if let expectedEtag, expectedEtag != stored.etag {
            throw ParityStoreError.staleEtag(kind: kind, id: id, current: stored.etag)
        }
        return stored
    }

    // MARK: Events

    /// A new event, its etag not yet given, and its registration.
    static func registering(_ event: Event, actor: String) -> (StoredEvent, ParityChange) {
        let id = ParityIDs.make("evt")
        let now = ParityIDs.now()
        return (
            StoredEvent(id: id, event: event, etag: "", created: now, updated: now),
            ParityChange(operation: .inserted, kind: .eventRegistered, time: now, eventID: id, actor: actor)
        )
    }

    /// Lets `change` modify the event; returns the update to append.
    static func modifying(
        _ stored: inout StoredEvent,
        fields: [String],
        actor: String,
        change: (inout Event) throws -> Void
    ) throws -> ParityChange {
        try change(&stored.event)
        return ParityChange(
            operation: .updated,
            kind: .eventUpdated,
            time: ParityIDs.now(),
            eventID: stored.id,
            fields: fields,
            actor: actor
        )
    }

    /// Sets the link status and returns the update to append; nil when the event no longer names
    /// `programmeID` (a concurrent update wins) or already has that status.
    static func linking(
        _ stored: inout StoredEvent,
        programmeID: String,
        status: ProgrammeLinkStatus
    ) -> ParityChange? {
        guard stored.event.programmeID == programmeID, stored.event.programmeLink != status else { return nil }
        stored.event.programmeLink = status
        return ParityChange(
            operation: .updated,
            kind: .eventUpdated,
            time: ParityIDs.now(),
            eventID: stored.id,
            fields: ["programme_link_status"]
        )
    }

    // MARK: Panels and participants

    /// A new panel of `event` (an example event's panels are examples), its etag not yet given, and its
    /// creation.
    static func creating(_ panel: Panel, of event: StoredEvent?, actor: String) throws -> (StoredPanel, ParityChange) {
        guard let event else { throw ParityStoreError.notFound(kind: "event", id: panel.eventID) }
        var panel = panel
        if event.event.example { panel.example = true }
        let id = ParityIDs.make("pnl")
        let now = ParityIDs.now()
        return (
            StoredPanel(
                id: id,
                panel: panel,
                participantIDs: [],
                counts: ParticipantCounts(),
                etag: "",
                created: now,
                updated: now
            ),
            ParityChange(
                operation: .inserted,
                kind: .panelChanged,
                time: now,
                eventID: panel.eventID,
                panelID: id,
                fields: ["panel_created"],
                actor: actor
            )
        )
    }

    /// Lets `change` modify the panel, which stays with its event and is an example if its event is.
    static func modifying(_ panel: inout Panel, eventIsExample: Bool, change: (inout Panel) throws -> Void) throws {
        let eventID = panel.eventID
        try change(&panel)
        panel.eventID = eventID
        if eventIsExample { panel.example = true }
    }

    /// The update a write to the panel or its participants appends.
    static func panelChange(of stored: StoredPanel, fields: [String], actor: String, now: Int64) -> ParityChange {
        ParityChange(
            operation: .updated,
            kind: .panelChanged,
            time: now,
            eventID: stored.panel.eventID,
            panelID: stored.id,
            fields: fields,
            actor: actor
        )
    }

    /// Refuses a participant write that names the panel with another event than its own.
    static func requireOnEvent(_ stored: StoredPanel, eventID: String) throws {
        guard stored.panel.eventID == eventID else {
            throw ParityStoreError.panelOfAnotherEvent(
                panelID: stored.id,
                eventID: eventID,
                actualEventID: stored.panel.eventID
            )
        }
    }

    // MARK: Policies and compliance

    /// The version as published after `history`: numbered after the highest and dated now. Refused unless it
    /// takes effect after the latest.
    static func publishing(_ policy: PolicyVersion, after history: PolicyHistory) throws -> PolicyVersion {
        if let problem = history.problemPublishing(policy) { throw ParityStoreError.policyOutOfOrder(problem) }
        var published = policy
        published.version = (history.versions.map(\.version).max() ?? 0) + 1
        published.published = ParityIDs.now()
        return published
    }

    static func publication(of published: PolicyVersion, actor: String) -> ParityChange {
        ParityChange(
            operation: .inserted,
            kind: .policyPublished,
            time: published.published,
            eventID: "",
            policyVersion: published.version,
            actor: actor
        )
    }

    /// The compliance change of a panel of `event` as its participants now stand, or nil when its verdict is
    /// still `previous` (the one recorded). The change carries the verdict and the version to record.
    static func compliance(
        panelID: String,
        event: StoredEvent,
        previous: Verdict?,
        counts: ParticipantCounts,
        history: PolicyHistory,
        time: Int64,
        actor: String
    ) -> ParityChange? {
        // Undated events and empty panels cannot be evaluated: their verdict is none.
        let evaluation = try? PanelPolicy.evaluate(counts: counts, event: event.event, history: history)
        let verdict = evaluation?.verdict
        guard verdict != previous else { return nil }
        return ParityChange(
            operation: .updated,
            kind: .complianceChanged,
            time: time,
            eventID: event.id,
            panelID: panelID,
            previousVerdict: previous,
            verdict: verdict,
            policyVersion: evaluation?.policy?.version ?? 0,
            actor: actor
        )
    }
}

/// A stored entity whose etag is the revision of the last change to it.
protocol EtaggedRecord {
    var etag: String { get set }
    var updated: Int64 { get set }
}

extension EtaggedRecord {
    /// Gives the entity the etag of the change appended for it at `revision`, written at `now`.
    mutating func stamp(revision: Int64, now: Int64) {
        etag = String(revision)
        updated = now
    }
}

extension StoredEvent: EtaggedRecord {}
extension StoredPanel: EtaggedRecord {}

extension StoredPanel {
    /// Adds a participant's id and counts, in the order added.
    mutating func add(participantID: String, _ participant: Participant) {
        participantIDs.append(participantID)
        counts = counts + ParticipantCounts([(participant.role, participant.gender)])
    }
}
