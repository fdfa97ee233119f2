/// Which database a storage test runs against: every behaviour of a store holds on each.
public enum TestDatabaseKind: String, CaseIterable, CustomStringConvertible, Sendable {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// Every kind this run can test: PostgreSQL when `ISID_TEST_POSTGRES_URL` names a server (CI always does).
    public static var allCases: [TestDatabaseKind] { TestPostgres.url == nil ? [.sqlite] : [.sqlite, .postgres] }
}
