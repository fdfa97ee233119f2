/// How undisclosed gender counts in an evaluation.
public enum UndisclosedGender: String, Sendable, Codable, CaseIterable {
    /// Left out of the all-female test and of the share's denominator: it neither shows nor hides diversity.
    /// It cannot show a woman either, so a panel of men and undisclosed speakers is still all-male.
    case excluded
    /// Counted with women (gives the benefit of the doubt).
    case countsWithWomen = "counts_with_women"
    /// Counted with men (assumes the worst).
    case countsWithMen = "counts_with_men"
}

/// The settings of one policy version. UNIDO's policy fixes no number; the defaults are Isid's choices,
/// argued in docs/parity-service.md.
public struct PolicySettings: Hashable, Sendable, Codable {
    /// Minimum share of women among speakers, in percent; 0 is no minimum (UNIDO states none).
    public var minimumWomenSharePercent: Int
    /// Panels with fewer speakers are exempt: a lone speaker is neither mixed nor single-sex.
    public var smallestPanelSize: Int
    public var undisclosedGender: UndisclosedGender
    /// Non-binary speakers count with women toward "not all-male" and the share. Off by default: UNIDO's rule
    /// asks for women's representation. A non-binary speaker makes a panel not all-female either way.
    public var nonBinaryCountsTowardNonManShare: Bool
    /// All-female speaker lists are allowed at every event, not only women's-empowerment ones.
    public var allFemalePanelsAllowedEverywhere: Bool

    public init(
        minimumWomenSharePercent: Int = 0,
        smallestPanelSize: Int = Self.defaultSmallestPanelSize,
        undisclosedGender: UndisclosedGender = .excluded,
        nonBinaryCountsTowardNonManShare: Bool = false,
        allFemalePanelsAllowedEverywhere: Bool = false
    ) {
        self.minimumWomenSharePercent = minimumWomenSharePercent
        self.smallestPanelSize = smallestPanelSize
        self.undisclosedGender = undisclosedGender
        self.nonBinaryCountsTowardNonManShare = nonBinaryCountsTowardNonManShare
        self.allFemalePanelsAllowedEverywhere = allFemalePanelsAllowedEverywhere
    }

    public static let defaultSmallestPanelSize = 2

    /// What is wrong with these settings, as (field, description) pairs named after PolicySettings' proto
    /// fields: values out of range, and combinations under which some panel could never comply.
    public var problems: [(field: String, description: String)] {
        var problems: [(field: String, description: String)] = []
        if !(0...100).contains(minimumWomenSharePercent) {
            problems.append(("minimum_women_share_percent", "a percentage from 0 (no minimum) to 100"))
        }
        if smallestPanelSize < 1 {
            problems.append(("smallest_panel_size", "at least 1"))
        }
        guard problems.isEmpty, !allFemalePanelsAllowedEverywhere else { return problems }
        if minimumWomenSharePercent == 100 {
            let reason =
                "contradicts all_female_panels_allowed_everywhere = false: a 100% share of women is an all-female "
                + "speaker list, which the policy refuses outside women's-empowerment events"
            problems.append(("minimum_women_share_percent", reason))
            problems.append(("all_female_panels_allowed_everywhere", reason))
        }
        if smallestPanelSize == 1 {
            let reason =
                "contradicts all_female_panels_allowed_everywhere = false: a panel of one woman would be "
                + "all-female and one of one man all-male, so no one-speaker panel outside women's-empowerment "
                + "events could comply"
            problems.append(("smallest_panel_size", reason))
            problems.append(("all_female_panels_allowed_everywhere", reason))
        }
        return problems
    }
}
