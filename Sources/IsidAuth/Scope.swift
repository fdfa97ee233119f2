/// A permission a caller holds, such as `indicators:write`. Each method of each service needs one, or none
/// when it is public.
public struct Scope: Hashable, Sendable, Comparable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let name: String

    /// A scope by name. `indicators.write`, the spelling of Isid's first release, is read as
    /// `indicators:write`, so token lists written for it keep their meaning.
    public init(_ name: String) {
        self.name = String(name.map { $0 == "." ? ":" : $0 })
    }

    public init(stringLiteral value: String) { self.init(value) }

    public var description: String { name }

    /// Whether the scope only lets a caller read (`…:read`): the ones a server may open to everyone.
    public var isRead: Bool { name.hasSuffix(":read") }

    public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.name < rhs.name }
}

extension Scope {
    public static let indicatorsRead: Scope = "indicators:read"
    public static let indicatorsWrite: Scope = "indicators:write"
    public static let programmesRead: Scope = "programmes:read"
    public static let programmesWrite: Scope = "programmes:write"
    public static let parityRead: Scope = "parity:read"
    public static let parityWrite: Scope = "parity:write"
    /// Reading personal data (participants' names and self-identified gender) beside the aggregates.
    public static let parityPersonal: Scope = "parity:personal"
    /// Every scope: operators' and the gateway's own tooling.
    public static let admin: Scope = "admin"

    /// Every scope Isid's services define.
    public static let all: [Scope] = [
        .indicatorsRead, .indicatorsWrite, .programmesRead, .programmesWrite, .parityRead, .parityWrite,
        .parityPersonal, .admin,
    ]
}
