import ParityAPI

// Each domain enum to its proto enum and back. From the proto side, UNSPECIFIED and values this build does not
// know (a newer client's, or a number sent raw) map to nil, which input checking turns into a field violation.

extension EventKind {
    init?(_ proto: Isid_Parity_V1_EventKind) {
        switch proto {
        case .conference: self = .conference
        case .forum: self = .forum
        case .expertMeeting: self = .expertMeeting
        case .workshop: self = .workshop
        case .webinar: self = .webinar
        case .sideEvent: self = .sideEvent
        case .campaign: self = .campaign
        case .unspecified, .unrecognized: return nil
        }
    }

    var proto: Isid_Parity_V1_EventKind {
        switch self {
        case .conference: .conference
        case .forum: .forum
        case .expertMeeting: .expertMeeting
        case .workshop: .workshop
        case .webinar: .webinar
        case .sideEvent: .sideEvent
        case .campaign: .campaign
        }
    }
}

extension UnidoRole {
    init?(_ proto: Isid_Parity_V1_UnidoRole) {
        switch proto {
        case .organized: self = .organized
        case .hosted: self = .hosted
        case .underAuspices: self = .underAuspices
        case .unspecified, .unrecognized: return nil
        }
    }

    var proto: Isid_Parity_V1_UnidoRole {
        switch self {
        case .organized: .organized
        case .hosted: .hosted
        case .underAuspices: .underAuspices
        }
    }
}

extension Theme {
    init?(_ proto: Isid_Parity_V1_Theme) {
        switch proto {
        case .womensEmpowerment: self = .womensEmpowerment
        case .womensEconomicEmpowerment: self = .womensEconomicEmpowerment
        case .genderEquality: self = .genderEquality
        case .endingViolenceAgainstWomen: self = .endingViolenceAgainstWomen
        case .industry: self = .industry
        case .innovation: self = .innovation
        case .unspecified, .unrecognized: return nil
        }
    }

    var proto: Isid_Parity_V1_Theme {
        switch self {
        case .womensEmpowerment: .womensEmpowerment
        case .womensEconomicEmpowerment: .womensEconomicEmpowerment
        case .genderEquality: .genderEquality
        case .endingViolenceAgainstWomen: .endingViolenceAgainstWomen
        case .industry: .industry
        case .innovation: .innovation
        }
    }
}

extension PanelFormat {
    init?(_ proto: Isid_Parity_V1_PanelFormat) {
        switch proto {
        case .panelDiscussion: self = .panelDiscussion
        case .session: self = .session
        case .roundtable: self = .roundtable
        case .keynote: self = .keynote
        case .unspecified, .unrecognized: return nil
        }
    }

    var proto: Isid_Parity_V1_PanelFormat {
        switch self {
        case .panelDiscussion: .panelDiscussion
        case .session: .session
        case .roundtable: .roundtable
        case .keynote: .keynote
        }
    }
}

extension ParticipantRole {
    init?(_ proto: Isid_Parity_V1_ParticipantRole) {
        switch proto {
        case .speaker: self = .speaker
        case .keynote: self = .keynote
        case .panellist: self = .panellist
        case .moderator: self = .moderator
        case .chair: self = .chair
        case .facilitator: self = .facilitator
        case .unspecified, .unrecognized: return nil
        }
    }

    var proto: Isid_Parity_V1_ParticipantRole {
        switch self {
        case .speaker: .speaker
        case .keynote: .keynote
        case .panellist: .panellist
        case .moderator: .moderator
        case .chair: .chair
        case .facilitator: .facilitator
        }
    }
}

extension Gender {
    init?(_ proto: Isid_Parity_V1_Gender) {
        switch proto {
        case .woman: self = .woman
        case .man: self = .man
        case .nonBinary: self = .nonBinary
        case .undisclosed: self = .undisclosed
        case .unspecified, .unrecognized: return nil
        }
    }

    var proto: Isid_Parity_V1_Gender {
        switch self {
        case .woman: .woman
        case .man: .man
        case .nonBinary: .nonBinary
        case .undisclosed: .undisclosed
        }
    }
}

extension UndisclosedGender {
    var proto: Isid_Parity_V1_UndisclosedGender {
        switch self {
        case .excluded: .excluded
        case .countsWithWomen: .countsWithWomen
        case .countsWithMen: .countsWithMen
        }
    }
}

extension ProgrammeLinkStatus {
    var proto: Isid_Parity_V1_ProgrammeLinkStatus {
        switch self {
        case .none: .unspecified
        case .verified: .verified
        case .unverified: .unverified
        case .notFound: .notFound
        }
    }
}

extension Verdict {
    var proto: Isid_Parity_V1_Verdict {
        switch self {
        case .compliant: .compliant
        case .nonCompliant: .nonCompliant
        case .exempt: .exempt
        }
    }
}

extension Rule {
    var proto: Isid_Parity_V1_Rule {
        switch self {
        case .policyInForce: .policyInForce
        case .smallestPanel: .smallestPanel
        case .noAllMalePanel: .noAllMalePanel
        case .noAllFemalePanel: .noAllFemalePanel
        case .noGenderOnlyModerating: .noGenderOnlyModerating
        case .minimumWomenShare: .minimumWomenShare
        }
    }
}

extension RuleOutcome {
    var proto: Isid_Parity_V1_RuleOutcome {
        switch self {
        case .satisfied: .satisfied
        case .violated: .violated
        case .exempts: .exempts
        case .exceptionApplied: .exceptionApplied
        }
    }
}

extension ParityChangeKind {
    var proto: Isid_Parity_V1_ParityEventKind {
        switch self {
        case .eventRegistered: .eventRegistered
        case .eventUpdated: .eventUpdated
        case .panelChanged: .panelChanged
        case .complianceChanged: .complianceChanged
        case .policyPublished: .policyPublished
        }
    }
}
