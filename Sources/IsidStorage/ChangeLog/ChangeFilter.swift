/// Which changes a reader wants: those whose scope is one of `scopes`, or every change when it is empty.
public struct ChangeFilter: Sendable, Hashable {
    public var scopes: Set<String>

    public init(scopes: Set<String> = []) {
        self.scopes = scopes
    }

    /// Every change.
    public static let everything = ChangeFilter()

    public func admits(_ record: some ChangeRecord) -> Bool {
        scopes.isEmpty || scopes.contains(record.scope)
    }
}
