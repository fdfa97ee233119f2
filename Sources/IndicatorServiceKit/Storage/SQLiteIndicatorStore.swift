public import GRDB
public import IsidStorage

/// IndicatorStore on SQLite through GRDB: a WAL-mode `DatabasePool` (see `SQLiteDatabase` for durability).
/// Reads run concurrently on snapshots; writes are serialised by SQLite, so revisions commit in order.
public final class SQLiteIndicatorStore: IndicatorStore, SQLiteChangeSource {
    public let pool: DatabasePool
    public let notifier = ChangeNotifier()
    /// Whether anyone committed since: cached answers stand until then.
    private let commits: SQLiteCommitProbe

    /// Opens (creating and migrating) the database at `path`.
    public init(path: String) throws {
        self.pool = try SQLiteDatabase.open(path: path, migrator: IndicatorMigrations.migrator)
        self.commits = try SQLiteCommitProbe(path: path)
    }

    public func dataVersion() throws -> Int64 { try commits.dataVersion() }

    /// The migrations this store applies, for `indicator-service migrate`.
    public static var migrator: DatabaseMigrator { IndicatorMigrations.migrator }

    /// Whether the catalogue is empty (a new database that needs seeding).
    public func isEmpty() async throws -> Bool {
        try await pool.read { db in try Int.fetchOneCached(db, sql: "SELECT COUNT(*) FROM series") == 0 }
    }

    /// The change log: every write of an observation, and every withdrawal, with its revision. Being a
    /// `SQLiteChangeSource` gives the store `currentRevision()` and `changes(after:matching:limit:)` over it.
    public static let changeLog = SQLiteChangeLog<ObservationChange>()

    static func currentRevision(_ db: Database) throws -> Int64 {
        try changeLog.currentRevision(in: db)
    }
}

extension SQLiteIndicatorStore {
    /// Names of the applied migrations, oldest first.
    public func appliedMigrations() throws -> [String] {
        try SQLiteDatabase.appliedMigrations(in: pool, migrator: Self.migrator)
    }
}
