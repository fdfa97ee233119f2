extension RevisionToken {
    /// Parses a token a client sent back and checks it names a revision this database has issued (at most
    /// `currentRevision`). Each service maps the error to its invalid-argument answer for the field.
    public init(validating text: String, currentRevision: Int64) throws(RevisionTokenError) {
        guard let token = RevisionToken(parsing: text) else { throw .malformed }
        guard token.revision <= currentRevision else { throw .notIssued(revision: token.revision) }
        self = token
    }
}

/// Why a client's revision token was refused.
public enum RevisionTokenError: Error, Hashable, Sendable {
    /// Not a token this service issues.
    case malformed
    /// Well formed, but beyond the newest revision: another database issued it, or it was made up.
    case notIssued(revision: Int64)

    /// What went wrong, for the error message.
    public var summary: String {
        switch self {
        case .malformed: "malformed revision token"
        case .notIssued: "revision token from the future"
        }
    }

    /// Why the field's value was refused, for a field violation.
    public var fieldDescription: String {
        switch self {
        case .malformed: "not a revision token"
        case .notIssued(let revision): "revision \(revision) was never issued by this database"
        }
    }
}
