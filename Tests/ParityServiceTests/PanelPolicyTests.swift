import ParityServiceKit
import Testing

/// A panel described in the tests' shorthand: speaking genders, moderating genders.
struct PanelCase: CustomTestStringConvertible, Sendable {
    let name: String
    var speakers: [Gender]
    var moderators: [Gender] = []
    var themes: Set<Theme> = []
    var settings = PolicySettings()
    let verdict: Verdict
    /// The rules the evaluation must report as violated (in rule order); empty for none.
    var violated: [Rule] = []
    var exception = false

    var testDescription: String { name }

    var counts: ParticipantCounts {
        ParticipantCounts(speakers.map { (ParticipantRole.panellist, $0) } + moderators.map { (.moderator, $0) })
    }
}

private func version(
    _ number: Int = 1,
    _ settings: PolicySettings = PolicySettings(),
    from date: PartialDate? = nil
)
    -> PolicyVersion
{
    PolicyVersion(
        version: number,
        effectiveDate: date ?? PartialDate(year: 2020, month: 7, day: 10)!,
        title: "test version \(number)",
        settings: settings
    )
}

@Suite("The panel parity policy, rule by rule")
struct PanelPolicyTests {
    static let cases: [PanelCase] = [
        PanelCase(name: "a woman and a man speaking comply", speakers: [.woman, .man], verdict: .compliant),
        PanelCase(
            name: "an all-male panel does not comply",
            speakers: [.man, .man, .man],
            verdict: .nonCompliant,
            violated: [.noAllMalePanel]
        ),
        PanelCase(
            name: "a woman only as moderator does not make a panel comply",
            speakers: [.man, .man],
            moderators: [.woman],
            verdict: .nonCompliant,
            violated: [.noAllMalePanel, .noGenderOnlyModerating]
        ),
        PanelCase(
            name: "women speaking and moderating beside men comply",
            speakers: [.woman, .man],
            moderators: [.woman],
            verdict: .compliant
        ),
        PanelCase(
            name: "an all-female list without the women's-empowerment theme does not comply",
            speakers: [.woman, .woman],
            themes: [.genderEquality, .industry],
            verdict: .nonCompliant,
            violated: [.noAllFemalePanel]
        ),
        PanelCase(
            name: "an all-female list at a women's economic empowerment event complies by the exception",
            speakers: [.woman, .woman, .woman],
            themes: [.womensEconomicEmpowerment],
            verdict: .compliant,
            exception: true
        ),
        PanelCase(
            name: "an all-female list at a women's empowerment event may have a man moderating",
            speakers: [.woman, .woman],
            moderators: [.man],
            themes: [.womensEmpowerment],
            verdict: .compliant,
            exception: true
        ),
        PanelCase(
            name: "a man only moderating an all-female list elsewhere breaks two rules",
            speakers: [.woman, .woman],
            moderators: [.man],
            verdict: .nonCompliant,
            violated: [.noAllFemalePanel, .noGenderOnlyModerating]
        ),
        PanelCase(
            name: "all-female lists allowed everywhere by the settings",
            speakers: [.woman, .woman],
            settings: PolicySettings(allFemalePanelsAllowedEverywhere: true),
            verdict: .compliant,
            exception: true
        ),
        // Undisclosed gender under each setting.
        PanelCase(
            name: "undisclosed excluded: a man and an undisclosed speaker show no woman",
            speakers: [.man, .undisclosed],
            verdict: .nonCompliant,
            violated: [.noAllMalePanel]
        ),
        PanelCase(
            name: "undisclosed counted with women: a man and an undisclosed speaker comply",
            speakers: [.man, .undisclosed],
            settings: PolicySettings(undisclosedGender: .countsWithWomen),
            verdict: .compliant
        ),
        PanelCase(
            name: "undisclosed counted with men: a man and an undisclosed speaker do not comply",
            speakers: [.man, .undisclosed],
            settings: PolicySettings(undisclosedGender: .countsWithMen),
            verdict: .nonCompliant,
            violated: [.noAllMalePanel]
        ),
        PanelCase(
            name: "undisclosed excluded: a woman and an undisclosed speaker are an all-female list",
            speakers: [.woman, .undisclosed],
            verdict: .nonCompliant,
            violated: [.noAllFemalePanel]
        ),
        PanelCase(
            name: "undisclosed counted with women: a woman and an undisclosed speaker are an all-female list",
            speakers: [.woman, .undisclosed],
            settings: PolicySettings(undisclosedGender: .countsWithWomen),
            verdict: .nonCompliant,
            violated: [.noAllFemalePanel]
        ),
        PanelCase(
            name: "undisclosed counted with men: a woman and an undisclosed speaker comply",
            speakers: [.woman, .undisclosed],
            settings: PolicySettings(undisclosedGender: .countsWithMen),
            verdict: .compliant
        ),
        PanelCase(
            name: "undisclosed excluded: only undisclosed speakers show no woman",
            speakers: [.undisclosed, .undisclosed],
            verdict: .nonCompliant,
            violated: [.noAllMalePanel]
        ),
        // Non-binary under each setting.
        PanelCase(
            name: "non-binary not counted with women: a man and a non-binary speaker do not comply",
            speakers: [.man, .nonBinary],
            verdict: .nonCompliant,
            violated: [.noAllMalePanel]
        ),
        PanelCase(
            name: "non-binary counted toward the non-man share: a man and a non-binary speaker comply",
            speakers: [.man, .nonBinary],
            settings: PolicySettings(nonBinaryCountsTowardNonManShare: true),
            verdict: .compliant
        ),
        PanelCase(
            name: "a woman and a non-binary speaker are not all-female (default)",
            speakers: [.woman, .nonBinary],
            verdict: .compliant
        ),
        PanelCase(
            name: "a woman and a non-binary speaker are not all-female when non-binary counts with women",
            speakers: [.woman, .nonBinary],
            settings: PolicySettings(nonBinaryCountsTowardNonManShare: true),
            verdict: .compliant
        ),
        // The smallest panel.
        PanelCase(name: "a lone speaker is exempt by default", speakers: [.man], verdict: .exempt),
        PanelCase(
            name: "two men are exempt when the smallest panel is three",
            speakers: [.man, .man],
            settings: PolicySettings(smallestPanelSize: 3),
            verdict: .exempt
        ),
        PanelCase(
            name: "three men are not exempt when the smallest panel is three",
            speakers: [.man, .man, .man],
            settings: PolicySettings(smallestPanelSize: 3),
            verdict: .nonCompliant,
            violated: [.noAllMalePanel]
        ),
        PanelCase(
            name: "moderators do not count toward the panel's size",
            speakers: [.man],
            moderators: [.woman, .man],
            verdict: .exempt
        ),
        // The minimum share.
        PanelCase(
            name: "one woman of three is below a 50% minimum",
            speakers: [.woman, .man, .man],
            settings: PolicySettings(minimumWomenSharePercent: 50),
            verdict: .nonCompliant,
            violated: [.minimumWomenShare]
        ),
        PanelCase(
            name: "one woman of two meets a 50% minimum exactly",
            speakers: [.woman, .man],
            settings: PolicySettings(minimumWomenSharePercent: 50),
            verdict: .compliant
        ),
        PanelCase(
            name: "undisclosed speakers excluded from the share's denominator",
            speakers: [.woman, .man, .undisclosed, .undisclosed],
            settings: PolicySettings(minimumWomenSharePercent: 50),
            verdict: .compliant
        ),
        PanelCase(
            name: "undisclosed speakers counted with men lower the share",
            speakers: [.woman, .man, .undisclosed, .undisclosed],
            settings: PolicySettings(minimumWomenSharePercent: 50, undisclosedGender: .countsWithMen),
            verdict: .nonCompliant,
            violated: [.minimumWomenShare]
        ),
    ]

    @Test("each case's verdict and violated rules", arguments: cases)
    func evaluate(_ panel: PanelCase) throws {
        let evaluation = try PanelPolicy.evaluate(
            counts: panel.counts,
            themes: panel.themes,
            policy: version(1, panel.settings)
        )
        #expect(evaluation.verdict == panel.verdict)
        #expect(evaluation.reasons.filter { $0.outcome == .violated }.map(\.rule) == panel.violated)
        #expect(evaluation.reasons.contains { $0.outcome == .exceptionApplied } == panel.exception)
        #expect(evaluation.policy?.settings == panel.settings)
    }

    @Test("a non-exempt evaluation reports every rule once, in order")
    func everyRuleReported() throws {
        let evaluation = try PanelPolicy.evaluate(
            counts: ParticipantCounts([(.speaker, .woman), (.speaker, .man)]),
            themes: [],
            policy: version()
        )
        #expect(evaluation.reasons.map(\.rule) == Rule.allCases)
    }

    @Test("without a version in force the panel is exempt and says so")
    func noPolicy() throws {
        let evaluation = try PanelPolicy.evaluate(
            counts: ParticipantCounts([(.speaker, .man), (.speaker, .man)]),
            themes: [],
            policy: nil
        )
        #expect(evaluation.verdict == .exempt)
        #expect(evaluation.reasons.map(\.rule) == [.policyInForce])
        #expect(evaluation.reasons.first?.outcome == .exempts)
    }

    @Test("a panel without speakers cannot be evaluated")
    func noSpeakers() {
        #expect(throws: EvaluationError.noSpeakers) {
            try PanelPolicy.evaluate(counts: ParticipantCounts([(.moderator, .woman)]), themes: [], policy: version())
        }
    }
}
