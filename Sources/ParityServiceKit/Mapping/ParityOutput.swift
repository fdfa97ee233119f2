import ParityAPI
import ProtobufRuntime
import StandardProtos

/// Domain values to API messages. Nothing here writes a participant's name except `proto(_: StoredParticipant)`,
/// which only ListParticipants (scope parity:personal) calls.
enum ParityOutput {
    static func date(_ date: PartialDate?) -> Google_Type_Date? {
        guard let date else { return nil }
        return .with {
            $0.year = Int32(date.year)
            $0.month = Int32(date.month ?? 0)
            $0.day = Int32(date.day ?? 0)
        }
    }

    static func timestamp(_ seconds: Int64) -> Google_Protobuf_Timestamp { .with { $0.seconds = seconds } }

    static func source(_ source: SourceCitation) -> Isid_Parity_V1_Source {
        .with {
            $0.citation = source.citation
            $0.locator = source.locator
        }
    }

    static func event(_ stored: StoredEvent) -> Isid_Parity_V1_Event {
        let event = stored.event
        return .with {
            $0.id = stored.id
            $0.title = event.title
            $0.kind = event.kind.proto
            $0.unidoRole = event.unidoRole.proto
            $0.organizer = event.organizer
            $0.coOrganizers = event.coOrganizers
            $0.themes = event.themes.map(\.proto)
            $0.startDate = date(event.startDate)
            $0.endDate = date(event.endDate)
            $0.durationDays = Int32(event.durationDays)
            $0.online = event.online
            $0.venue = event.venue
            $0.countryCode = event.countryCode
            $0.programmeId = event.programmeID
            $0.programmeLinkStatus = event.programmeLink.proto
            $0.sources = event.sources.map(source)
            $0.example = event.example
            $0.description = event.description
            $0.etag = stored.etag
            $0.createTime = timestamp(stored.created)
            $0.updateTime = timestamp(stored.updated)
        }
    }

    static func counts(_ counts: GenderCounts) -> Isid_Parity_V1_GenderCounts {
        .with {
            $0.women = Int32(counts.women)
            $0.men = Int32(counts.men)
            $0.nonBinary = Int32(counts.nonBinary)
            $0.undisclosed = Int32(counts.undisclosed)
            $0.total = Int32(counts.total)
        }
    }

    static func counts(_ counts: ParticipantCounts) -> Isid_Parity_V1_ParticipantCounts {
        .with {
            $0.speakers = Self.counts(counts.speakers)
            $0.moderators = Self.counts(counts.moderators)
        }
    }

    static func panel(_ stored: StoredPanel) -> Isid_Parity_V1_Panel {
        .with {
            $0.id = stored.id
            $0.eventId = stored.panel.eventID
            $0.title = stored.panel.title
            $0.format = stored.panel.format.proto
            $0.date = date(stored.panel.date)
            $0.example = stored.panel.example
            $0.counts = counts(stored.counts)
            $0.participantIds = stored.participantIDs
            $0.etag = stored.etag
            $0.createTime = timestamp(stored.created)
            $0.updateTime = timestamp(stored.updated)
        }
    }

    /// The only mapping that carries a name: for callers holding parity:personal.
    static func participant(_ stored: StoredParticipant) -> Isid_Parity_V1_Participant {
        .with {
            $0.id = stored.id
            $0.panelId = stored.panelID
            $0.displayName = stored.participant.displayName
            $0.role = stored.participant.role.proto
            $0.gender = stored.participant.gender.proto
            $0.organisation = stored.participant.organisation
            $0.erased = stored.erased
        }
    }

    static func settings(_ settings: PolicySettings) -> Isid_Parity_V1_PolicySettings {
        .with {
            $0.minimumWomenSharePercent = Int32(settings.minimumWomenSharePercent)
            $0.smallestPanelSize = Int32(settings.smallestPanelSize)
            $0.undisclosedGender = settings.undisclosedGender.proto
            $0.nonBinaryCountsTowardNonManShare = settings.nonBinaryCountsTowardNonManShare
            $0.allFemalePanelsAllowedEverywhere = settings.allFemalePanelsAllowedEverywhere
        }
    }

    static func policy(_ policy: PolicyVersion) -> Isid_Parity_V1_PolicyVersion {
        .with {
            $0.version = Int32(policy.version)
            $0.effectiveDate = date(policy.effectiveDate)
            $0.title = policy.title
            $0.sources = policy.sources.map(source)
            $0.settings = settings(policy.settings)
            $0.publishTime = timestamp(policy.published)
        }
    }

    static func reason(_ reason: EvaluationReason) -> Isid_Parity_V1_Reason {
        .with {
            $0.rule = reason.rule.proto
            $0.outcome = reason.outcome.proto
            $0.message = reason.message
        }
    }

    static func evaluation(
        _ evaluation: PanelEvaluation,
        panelID: String,
        eventID: String
    )
        -> Isid_Parity_V1_PanelEvaluation
    {
        .with {
            $0.panelId = panelID
            $0.eventId = eventID
            $0.verdict = evaluation.verdict.proto
            $0.reasons = evaluation.reasons.map(reason)
            if let policy = evaluation.policy {
                $0.policyVersion = Int32(policy.version)
                $0.policyEffectiveDate = date(policy.effectiveDate)
                $0.settings = settings(policy.settings)
            }
            $0.counts = counts(evaluation.counts)
            $0.countedWomenSpeakers = Int32(evaluation.countedWomenSpeakers)
            $0.countedSpeakers = Int32(evaluation.countedSpeakers)
        }
    }

    static func figures(_ figures: ComplianceFigures) -> Isid_Parity_V1_ComplianceFigures {
        func percent(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) * 100 / Double(whole) }
        return .with {
            $0.events = Int32(figures.events)
            $0.panels = Int32(figures.panels)
            $0.compliantPanels = Int32(figures.compliant)
            $0.nonCompliantPanels = Int32(figures.nonCompliant)
            $0.exemptPanels = Int32(figures.exempt)
            $0.compliantSharePercent = percent(figures.compliant, figures.compliant + figures.nonCompliant)
            $0.speakers = Int32(figures.counts.speakers.total)
            $0.womenSpeakers = Int32(figures.counts.speakers.women)
            $0.womenSpeakerSharePercent = percent(figures.counts.speakers.women, figures.counts.speakers.total)
            $0.moderators = Int32(figures.counts.moderators.total)
            $0.womenModerators = Int32(figures.counts.moderators.women)
            $0.womenModeratorSharePercent = percent(figures.counts.moderators.women, figures.counts.moderators.total)
        }
    }

    static func groups(_ groups: [String: ComplianceFigures]) -> [Isid_Parity_V1_ComplianceGroup] {
        groups.keys.sorted().map { key in
            .with {
                $0.key = key
                $0.figures = figures(groups[key]!)
            }
        }
    }
}
