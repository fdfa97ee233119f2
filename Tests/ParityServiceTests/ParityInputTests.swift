import ParityAPI
import ParityServiceKit
import RPCErrorDetails
import StandardProtos
import Testing

@Suite("Reading requests")
struct ParityInputTests {
    private func date(_ year: Int32, _ month: Int32, _ day: Int32) -> Google_Type_Date {
        var date = Google_Type_Date()
        date.year = year
        date.month = month
        date.day = day
        return date
    }

    @Test("an all-zero date is unknown, not an error")
    func zeroDate() {
        var violations = FieldViolations()
        #expect(ParityInput.date(date(0, 0, 0), field: "start_date", &violations) == nil)
        #expect(violations.isEmpty)
    }

    @Test("a date keeps the precision it was given")
    func precision() {
        var violations = FieldViolations()
        #expect(
            ParityInput.date(date(2020, 7, 0), field: "start_date", &violations) == PartialDate(year: 2020, month: 7)
        )
        #expect(ParityInput.date(date(2019, 0, 0), field: "start_date", &violations) == PartialDate(year: 2019))
        #expect(violations.isEmpty)
    }

    @Test("a day without a month, or a day that does not exist, names the field")
    func impossibleDates() {
        var violations = FieldViolations()
        _ = ParityInput.date(date(2020, 0, 5), field: "event.start_date", &violations)
        _ = ParityInput.date(date(2021, 2, 29), field: "event.end_date", &violations)
        #expect(violations.all.map(\.field) == ["event.start_date", "event.end_date"])
    }

    @Test("a participant needs a name, a known role and a known gender")
    func participant() {
        var proto = Isid_Parity_V1_Participant()
        proto.role = .unrecognized(42)
        proto.gender = .unrecognized(99)
        var violations = FieldViolations()
        #expect(ParityInput.participant(proto, prefix: "participant.", &violations) == nil)
        #expect(
            violations.all.map(\.field) == ["participant.display_name", "participant.role", "participant.gender"]
        )
        #expect(violations.all.last?.description.contains("99") == true)
    }

    @Test("a policy version's zero settings take the defaults")
    func policyDefaults() throws {
        var proto = Isid_Parity_V1_PolicyVersion()
        proto.title = "defaults"
        proto.effectiveDate = date(2030, 1, 1)
        var violations = FieldViolations()
        let policy = try #require(ParityInput.policy(proto, prefix: "policy.", &violations))
        #expect(violations.isEmpty)
        #expect(policy.settings == PolicySettings())
    }

    @Test("a policy version's effective date is a full date")
    func policyDate() {
        var proto = Isid_Parity_V1_PolicyVersion()
        proto.title = "month only"
        proto.effectiveDate = date(2030, 1, 0)
        var violations = FieldViolations()
        #expect(ParityInput.policy(proto, prefix: "policy.", &violations) == nil)
        #expect(violations.all.map(\.field) == ["policy.effective_date"])
    }
}
