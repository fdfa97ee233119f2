/// A store whose schema is versioned migrations, applied when it opens: the `migrate` commands list them.
public protocol MigratedStore: Sendable {
    /// Names of the applied migrations, oldest first.
    func appliedMigrations() async throws -> [String]
}
