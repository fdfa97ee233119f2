// The closed vocabularies of the domain. Raw values are what the database stores; never rename one.

public enum EventKind: String, Sendable, Codable, CaseIterable {
    case conference, forum, expertMeeting = "expert_meeting", workshop, webinar, sideEvent = "side_event", campaign
}

/// How UNIDO stands to an event; the policy covers events UNIDO organizes or hosts and those under its
/// auspices alike.
public enum UnidoRole: String, Sendable, Codable, CaseIterable {
    case organized, hosted, underAuspices = "under_auspices"
}

public enum Theme: String, Sendable, Codable, CaseIterable {
    case womensEmpowerment = "womens_empowerment"
    case womensEconomicEmpowerment = "womens_economic_empowerment"
    case genderEquality = "gender_equality"
    case endingViolenceAgainstWomen = "ending_violence_against_women"
    case industry, innovation

    /// Themes under which UNIDO's policy allows all-female speaker lists ("events focusing on women's
    /// empowerment"). Women's economic empowerment is women's empowerment; gender equality and ending violence
    /// against women are not by themselves, and UNIDO asks that men be engaged in gender-equality events.
    public var isWomensEmpowerment: Bool { self == .womensEmpowerment || self == .womensEconomicEmpowerment }
}

public enum PanelFormat: String, Sendable, Codable, CaseIterable {
    case panelDiscussion = "panel_discussion", session, roundtable, keynote
}

public enum ParticipantRole: String, Sendable, Codable, CaseIterable {
    case speaker, keynote, panellist, moderator, chair, facilitator

    /// Speaker, keynote and panellist speak; moderator, chair and facilitator run the panel. A chair runs the
    /// session as a moderator does, so the moderator rule covers chairs too.
    public var isSpeaking: Bool {
        switch self {
        case .speaker, .keynote, .panellist: true
        case .moderator, .chair, .facilitator: false
        }
    }
}

/// Gender as the participant self-identifies.
public enum Gender: String, Sendable, Codable, CaseIterable {
    case woman, man, nonBinary = "non_binary", undisclosed
}

public enum ProgrammeLinkStatus: String, Sendable, Codable {
    case none, verified, unverified, notFound = "not_found"
}

public enum Verdict: String, Sendable, Codable {
    case compliant, nonCompliant = "non_compliant", exempt
}

/// The rules an evaluation checks, in the order it reports them.
public enum Rule: String, Sendable, Codable, CaseIterable {
    case policyInForce = "policy_in_force"
    case smallestPanel = "smallest_panel"
    case noAllMalePanel = "no_all_male_panel"
    case noAllFemalePanel = "no_all_female_panel"
    case noGenderOnlyModerating = "no_gender_only_moderating"
    case minimumWomenShare = "minimum_women_share"
}

public enum RuleOutcome: String, Sendable, Codable {
    case satisfied, violated, exempts, exceptionApplied = "exception_applied"
}
