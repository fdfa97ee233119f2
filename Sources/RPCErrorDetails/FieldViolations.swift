public import RPCCore

/// What is wrong with a request, field by field, collected while checking it all, so one answer lists every
/// problem: INVALID_ARGUMENT with a `google.rpc.BadRequest`.
public struct FieldViolations: Sendable, Hashable {
    public struct Violation: Sendable, Hashable {
        /// The field's path as the request spells it, e.g. `programme.funding[2].amount.currency_code`.
        public let field: String
        public let description: String
    }

    public private(set) var all: [Violation] = []

    public init() {}

    public var isEmpty: Bool { all.isEmpty }

    public mutating func add(_ field: String, _ description: String) {
        all.append(Violation(field: field, description: description))
    }

    /// Adds `other`'s violations with `prefix` and a dot before each field.
    public mutating func add(_ other: FieldViolations, prefix: String) {
        for violation in other.all { add("\(prefix).\(violation.field)", violation.description) }
    }

    /// Throws INVALID_ARGUMENT listing every violation, if there is any.
    public func check(_ message: String = "the request is invalid") throws(RPCError) {
        guard !all.isEmpty else { return }
        let summary = all.count == 1 ? "\(all[0].field): \(all[0].description)" : "\(all.count) fields are invalid"
        throw RPCError.invalidArgument(
            "\(message): \(summary)",
            fieldViolations: all.map { ($0.field, $0.description) }
        )
    }
}
