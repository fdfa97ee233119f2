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

    @Test("validating accepts a token up to the current revision")
    func validTokenIsAccepted() throws {
        #expect(try RevisionToken(validating: "r7", currentRevision: 7).revision == 7)
    }

    @Test("validating refuses a malformed token")
    func validatingRefusesMalformedTokens() {
        #expect(throws: RevisionTokenError.malformed) { try RevisionToken(validating: "7", currentRevision: 7) }
    }

    @Test("validating refuses a revision this database has not issued, naming it")
    func validatingRefusesFutureRevisions() {
        #expect(throws: RevisionTokenError.notIssued(revision: 8)) {
            try RevisionToken(validating: "r8", currentRevision: 7)
        }
        #expect(
            RevisionTokenError.notIssued(revision: 8).fieldDescription == "revision 8 was never issued by this database"
        )
    }
}
