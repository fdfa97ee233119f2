import ParityServiceKit
import Testing

@Suite("Compliance reports")
struct ComplianceReportTests {
    @Test("quarters come from the start date at its precision")
    func quarters() {
        #expect(ComplianceReport.quarter(of: PartialDate(year: 2020, month: 7)) == "2020-Q3")
        #expect(ComplianceReport.quarter(of: PartialDate(year: 2020, month: 3, day: 31)) == "2020-Q1")
        #expect(ComplianceReport.quarter(of: PartialDate(year: 2019)) == "2019")
    }

    @Test("panels count once in the total and once in each breakdown")
    func breakdowns() {
        let mixed = ParticipantCounts([(.speaker, .woman), (.speaker, .man), (.moderator, .woman)])
        let allMale = ParticipantCounts([(.speaker, .man), (.speaker, .man), (.moderator, .man)])
        let report = ComplianceReport(events: [
            EvaluatedEvent(
                event: Event(
                    title: "A",
                    kind: .forum,
                    unidoRole: .organized,
                    startDate: PartialDate(year: 2021, month: 2),
                    countryCode: "AUT"
                ),
                panels: [(.compliant, mixed, 1), (.nonCompliant, allMale, 1)]
            ),
            EvaluatedEvent(
                event: Event(
                    title: "B",
                    kind: .webinar,
                    unidoRole: .hosted,
                    organizer: "UNODC",
                    startDate: PartialDate(year: 2021, month: 5, day: 3),
                    online: true
                ),
                panels: [(.exempt, allMale, 1)]
            ),
        ])
        #expect(report.total.events == 2)
        #expect(report.total.panels == 3)
        #expect((report.total.compliant, report.total.nonCompliant, report.total.exempt) == (1, 1, 1))
        #expect(report.total.counts.speakers.women == 1)
        #expect(report.total.counts.speakers.total == 6)
        #expect(report.total.counts.moderators.women == 1)
        #expect(report.byQuarter["2021-Q1"]?.panels == 2)
        #expect(report.byQuarter["2021-Q2"]?.exempt == 1)
        #expect(report.byKind["forum"]?.nonCompliant == 1)
        #expect(report.byOrganizer["UNODC"]?.events == 1)
        #expect(report.byCountry[""]?.panels == 1)
        #expect(report.byCountry["AUT"]?.compliant == 1)
    }
}
