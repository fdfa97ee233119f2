import ProgrammeServiceKit
import Testing

@Suite("Programme lifecycle")
struct ProgrammeStatusTests {
    /// Every move the lifecycle allows; every other pair of statuses is refused.
    static let allowed: Set<[ProgrammeStatus]> = [
        [.pipeline, .approved], [.pipeline, .cancelled],
        [.approved, .ongoing], [.approved, .suspended], [.approved, .cancelled],
        [.ongoing, .suspended], [.ongoing, .finalisation], [.ongoing, .cancelled],
        [.suspended, .ongoing], [.suspended, .finalisation], [.suspended, .cancelled],
        [.finalisation, .closed], [.finalisation, .ongoing],
    ]

    @Test(
        "each move is allowed exactly when the lifecycle lists it",
        arguments: ProgrammeStatus.allCases,
        ProgrammeStatus.allCases
    )
    func transition(from: ProgrammeStatus, to: ProgrammeStatus) {
        #expect(from.canMove(to: to) == Self.allowed.contains([from, to]))
    }

    @Test("closed and cancelled programmes move nowhere")
    func terminal() {
        #expect(ProgrammeStatus.closed.allowedNext.isEmpty)
        #expect(ProgrammeStatus.cancelled.allowedNext.isEmpty)
    }

    @Test(
        "IATI activity status codes 1 to 6 map onto the lifecycle and back",
        arguments: [
            (1, ProgrammeStatus.pipeline), (2, .ongoing), (3, .finalisation), (4, .closed), (5, .cancelled),
            (6, .suspended),
        ]
    )
    func iatiCodes(code: Int, status: ProgrammeStatus) {
        #expect(ProgrammeStatus(iatiCode: code) == status)
        #expect(status.iatiCode == code)
    }

    @Test("approved exports as IATI pipeline; codes outside 1 to 6 mean nothing")
    func iatiEdges() {
        #expect(ProgrammeStatus.approved.iatiCode == 1)
        #expect(ProgrammeStatus(iatiCode: 0) == nil)
        #expect(ProgrammeStatus(iatiCode: 7) == nil)
    }
}

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test("ISO dates read as real days; IATI's occasional time part is dropped")
    func parses() {
        #expect(CalendarDate(iso: "2020-02-29")?.description == "2020-02-29")
        #expect(CalendarDate(iso: "2015-10-12T00:00:00Z")?.description == "2015-10-12")
    }

    @Test("days that do not exist are refused", arguments: ["2019-02-29", "2021-13-01", "2021-04-31", "21-1-1", "x"])
    func refuses(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test("dates order by year, month, day")
    func orders() {
        #expect(CalendarDate(iso: "2019-12-31")! < CalendarDate(iso: "2020-01-01")!)
    }
}
