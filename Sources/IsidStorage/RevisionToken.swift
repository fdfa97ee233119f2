/// The opaque token clients hold for a position in a service's change log: "r" followed by the revision in
/// decimal. Clients must not build tokens themselves; the format is documented only so that a person
/// debugging can read one.
public struct RevisionToken: Hashable, Sendable, CustomStringConvertible {
    /// The change-log revision: every change committed so far has a revision at most this.
    public let revision: Int64

    public init(revision: Int64) {
        precondition(revision >= 0, "revisions are never negative")
        self.revision = revision
    }

    /// Parses a token; nil when it is not one this service issued (wrong prefix, not a number, negative).
    public init?(parsing text: String) {
        guard text.first == "r", text.count <= 20 else { return nil }
        let digits = text.dropFirst()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let revision = Int64(digits) else {
            return nil
        }
        self.revision = revision
    }

    public var description: String { "r\(revision)" }
}
