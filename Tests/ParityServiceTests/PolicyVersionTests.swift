import ParityServiceKit
import Testing

@Suite("Policy versions and their settings")
struct PolicyVersionTests {
    private func version(_ number: Int, _ date: PartialDate?, minimum: Int = 0) -> PolicyVersion {
        PolicyVersion(
            version: number,
            effectiveDate: date!,
            title: "v\(number)",
            settings: PolicySettings(minimumWomenSharePercent: minimum)
        )
    }

    @Test("each event gets the version in force on its date")
    func versionChangeBetweenTwoEvents() {
        let history = PolicyHistory([
            version(1, PartialDate(year: 2020, month: 7, day: 10)),
            version(2, PartialDate(year: 2022, month: 1, day: 1), minimum: 40),
        ])
        #expect(history.inForce(on: PartialDate(year: 2019)!) == nil)
        #expect(history.inForce(on: PartialDate(year: 2020, month: 7, day: 9)!) == nil)
        #expect(history.inForce(on: PartialDate(year: 2020, month: 7, day: 10)!)?.version == 1)
        #expect(history.inForce(on: PartialDate(year: 2021, month: 12, day: 31)!)?.version == 1)
        #expect(history.inForce(on: PartialDate(year: 2022, month: 1, day: 1)!)?.version == 2)
    }

    @Test("a date known to the month is held to the version in force at the month's end")
    func monthPrecision() {
        let history = PolicyHistory([version(1, PartialDate(year: 2020, month: 7, day: 10))])
        #expect(history.inForce(on: PartialDate(year: 2020, month: 7)!)?.version == 1)
        #expect(history.inForce(on: PartialDate(year: 2020, month: 6)!) == nil)
    }

    @Test("a new version must take effect after the latest one")
    func publishingOrder() {
        let history = PolicyHistory([version(1, PartialDate(year: 2020, month: 7, day: 10))])
        #expect(history.problemPublishing(version(2, PartialDate(year: 2020, month: 7, day: 10))) != nil)
        #expect(history.problemPublishing(version(2, PartialDate(year: 2019, month: 1, day: 1))) != nil)
        #expect(history.problemPublishing(version(2, PartialDate(year: 2020, month: 7, day: 11))) == nil)
        #expect(PolicyHistory([]).problemPublishing(version(1, PartialDate(year: 2000, month: 1, day: 1))) == nil)
    }

    @Test("the defaults are consistent")
    func defaults() {
        let settings = PolicySettings()
        #expect(settings.problems.isEmpty)
        #expect(settings.minimumWomenSharePercent == 0)
        #expect(settings.smallestPanelSize == 2)
        #expect(settings.undisclosedGender == .excluded)
        #expect(!settings.nonBinaryCountsTowardNonManShare)
        #expect(!settings.allFemalePanelsAllowedEverywhere)
    }

    @Test(
        "settings out of range or contradicting each other name their fields",
        arguments: [
            (PolicySettings(minimumWomenSharePercent: 101), ["minimum_women_share_percent"]),
            (PolicySettings(minimumWomenSharePercent: -1), ["minimum_women_share_percent"]),
            (PolicySettings(smallestPanelSize: 0), ["smallest_panel_size"]),
            (
                PolicySettings(minimumWomenSharePercent: 100),
                ["minimum_women_share_percent", "all_female_panels_allowed_everywhere"]
            ),
            (PolicySettings(smallestPanelSize: 1), ["smallest_panel_size", "all_female_panels_allowed_everywhere"]),
        ]
    )
    func contradictions(settings: PolicySettings, fields: [String]) {
        #expect(settings.problems.map(\.field) == fields)
    }

    @Test("what contradicts with all-female lists refused is fine when they are allowed everywhere")
    func allowedEverywhere() {
        #expect(PolicySettings(minimumWomenSharePercent: 100, allFemalePanelsAllowedEverywhere: true).problems.isEmpty)
        #expect(PolicySettings(smallestPanelSize: 1, allFemalePanelsAllowedEverywhere: true).problems.isEmpty)
    }
}
