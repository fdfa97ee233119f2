import IsidStorage
import Testing

@Suite("Revision tokens")
struct RevisionTokenTests {
    @Test(
        "a token round-trips and anything else is rejected",
        arguments: ["", "r", "x12", "r-1", "r1a", "r99999999999999999999"]
    )
    func malformedTokensAreRejected(text: String) {
        #expect(RevisionToken(parsing: text) == nil)
    }

    @Test("a revision prints as r<N> and parses back")
    func roundTrip() {
        #expect(RevisionToken(parsing: RevisionToken(revision: 42).description)?.revision == 42)
    }
}
