import Foundation

/// The seed file (`Data/parity/seed.json`): policy versions, events, and for example events their panels and
/// placeholder participants. Values use the domain's raw names ("conference", "womens_economic_empowerment")
/// and dates at their precision ("2020-07").
public struct ParitySeed: Decodable, Sendable {
    struct SeedSource: Decodable, Sendable {
        var citation: String
        var locator: String?
    }

    struct SeedPolicy: Decodable, Sendable {
        var effective_date: String
        var title: String
        var sources: [SeedSource]?
        var settings: SeedSettings?
    }

    struct SeedSettings: Decodable, Sendable {
        var minimum_women_share_percent: Int?
        var smallest_panel_size: Int?
        var undisclosed_gender: UndisclosedGender?
        var non_binary_counts_toward_non_man_share: Bool?
        var all_female_panels_allowed_everywhere: Bool?
    }

    struct SeedParticipant: Decodable, Sendable {
        var display_name: String
        var role: ParticipantRole
        var gender: Gender
    }

    struct SeedPanel: Decodable, Sendable {
        var title: String
        var participants: [SeedParticipant]?
    }

    struct SeedEvent: Decodable, Sendable {
        var title: String
        var kind: EventKind
        var unido_role: UnidoRole
        var organizer: String
        var co_organizers: [String]?
        var themes: [Theme]?
        var start_date: String?
        var end_date: String?
        var duration_days: Int?
        var online: Bool?
        var venue: String?
        var country_code: String?
        var description: String?
        var example: Bool?
        var sources: [SeedSource]?
        var panels: [SeedPanel]?
    }

    var policies: [SeedPolicy]
    var events: [SeedEvent]

    /// What a seed file holds that the service cannot take.
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public static func read(file: String) throws -> ParitySeed {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Invalid(description: "cannot read the seed file \(file)")
        }
        return try JSONDecoder().decode(ParitySeed.self, from: data)
    }

    /// "2020", "2020-07" or "2020-07-10".
    static func date(_ text: String?, _ what: String) throws -> PartialDate? {
        guard let text else { return nil }
        let parts = text.split(separator: "-").map { Int($0) }
        guard (1...3).contains(parts.count), !parts.contains(nil),
            let date = PartialDate(
                year: parts[0]!,
                month: parts.count > 1 ? parts[1] : nil,
                day: parts.count > 2 ? parts[2] : nil
            )
        else { throw Invalid(description: "\(what): not a date: \(text)") }
        return date
    }

    /// Stores everything in `store` if it is empty (nothing otherwise), once however many replicas start on
    /// the new database together; returns how many events were stored, or nil when it was not empty.
    public func applyIfEmpty(to store: some ParityStore) async throws -> Int? {
        try await store.whileSeeding {
            guard try await store.isEmpty() else { return nil }
            return try await apply(to: store)
        }
    }

    /// Stores everything in `store`, policies first; returns how many events were stored. Refuses the whole
    /// file, before storing anything, if any record is invalid.
    public func apply(to store: some ParityStore) async throws -> Int {
        var versions: [PolicyVersion] = []
        for policy in policies {
            guard let effective = try Self.date(policy.effective_date, "policy \(policy.title)"), effective.isFullDate
            else { throw Invalid(description: "policy \(policy.title): effective_date must be a full date") }
            let given = policy.settings
            let defaults = PolicySettings()
            let settings = PolicySettings(
                minimumWomenSharePercent: given?.minimum_women_share_percent ?? defaults.minimumWomenSharePercent,
                smallestPanelSize: given?.smallest_panel_size ?? defaults.smallestPanelSize,
                undisclosedGender: given?.undisclosed_gender ?? defaults.undisclosedGender,
                nonBinaryCountsTowardNonManShare: given?.non_binary_counts_toward_non_man_share
                    ?? defaults.nonBinaryCountsTowardNonManShare,
                allFemalePanelsAllowedEverywhere: given?.all_female_panels_allowed_everywhere
                    ?? defaults.allFemalePanelsAllowedEverywhere
            )
            if let problem = settings.problems.first {
                throw Invalid(description: "policy \(policy.title): \(problem.field): \(problem.description)")
            }
            versions.append(
                PolicyVersion(
                    version: 0,
                    effectiveDate: effective,
                    title: policy.title,
                    sources: (policy.sources ?? []).map {
                        SourceCitation(citation: $0.citation, locator: $0.locator ?? "")
                    },
                    settings: settings
                )
            )
        }
        var events: [(Event, [SeedPanel])] = []
        for seed in self.events {
            let example = seed.example ?? false
            let event = Event(
                title: seed.title,
                kind: seed.kind,
                unidoRole: seed.unido_role,
                organizer: seed.organizer,
                coOrganizers: seed.co_organizers ?? [],
                themes: seed.themes ?? [],
                startDate: try Self.date(seed.start_date, seed.title),
                endDate: try Self.date(seed.end_date, seed.title),
                durationDays: seed.duration_days ?? 0,
                online: seed.online ?? false,
                venue: seed.venue ?? "",
                countryCode: seed.country_code ?? "",
                sources: (seed.sources ?? []).map { SourceCitation(citation: $0.citation, locator: $0.locator ?? "") },
                example: example,
                description: seed.description ?? ""
            )
            if let problem = event.problems.first {
                throw Invalid(description: "event \(seed.title): \(problem.field): \(problem.description)")
            }
            // No person may be invented: participants only on example events.
            if !example, seed.panels?.contains(where: { !($0.participants ?? []).isEmpty }) == true {
                throw Invalid(description: "event \(seed.title): participants are only allowed on example events")
            }
            if !example, event.sources.isEmpty {
                throw Invalid(description: "event \(seed.title): a real event cites its source")
            }
            events.append((event, seed.panels ?? []))
        }
        for version in versions { _ = try await store.publishPolicy(version, actor: "") }
        for (event, panels) in events {
            let stored = try await store.createEvent(event, actor: "")
            for seedPanel in panels {
                let panel = try await store.createPanel(
                    Panel(eventID: stored.id, title: seedPanel.title, example: event.example),
                    actor: ""
                )
                for participant in seedPanel.participants ?? [] {
                    _ = try await store.addParticipant(
                        Participant(
                            displayName: participant.display_name,
                            role: participant.role,
                            gender: participant.gender
                        ),
                        eventID: stored.id,
                        panelID: panel.id,
                        expectedEtag: nil,
                        actor: ""
                    )
                }
            }
        }
        return events.count
    }
}
