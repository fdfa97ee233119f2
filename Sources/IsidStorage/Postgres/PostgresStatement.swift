public import PostgresNIO

/// A statement built piece by piece (filters that may or may not apply): each bound value gets the next
/// `$n` placeholder, so the text and the bindings never drift apart.
public struct PostgresStatement: Sendable {
    public private(set) var binds = PostgresBindings()
    private var count = 0

    public init() {}

    /// Binds `value` and returns its placeholder, e.g. `$3`.
    public mutating func bind(_ value: some PostgresNonThrowingEncodable & Sendable) -> String {
        binds.append(value)
        count += 1
        return "$\(count)"
    }

    /// Binds `value`, NULL when nil, and returns its placeholder.
    public mutating func bind<Value: PostgresNonThrowingEncodable & Sendable>(_ value: Value?) -> String {
        binds.append(value)
        count += 1
        return "$\(count)"
    }

    /// The query of `sql` (written with this statement's placeholders) and its bindings.
    public func query(_ sql: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
