public import GRDB
public import IsidStorage

/// ParityStore on SQLite through GRDB, in WAL mode with `secure_delete` on (erased names are overwritten, not
/// left in free pages). Every write reads, checks and writes in one transaction, appends its parity events
/// (compliance changes included) to the change log in it, and wakes watchers after the commit.
public final class SQLiteParityStore: ParityStore, SQLiteChangeSource {
    public let pool: DatabasePool
    public let notifier = ChangeNotifier()

    /// Parity events: registrations, updates, panel changes, compliance changes, policy publications.
    public static let changeLog = SQLiteChangeLog<ParityChange>()

    /// Opens (creating and migrating) the database at `path`.
    public init(path: String) throws {
        var configuration = SQLiteDatabase.configuration()
        configuration.prepareDatabase { db in
            // Deleted and overwritten content is zeroed, so an erased name does not survive in free space.
            try db.execute(sql: "PRAGMA secure_delete = ON")
        }
        self.pool = try SQLiteDatabase.open(
            path: path,
            migrator: ParityMigrations.migrator,
            configuration: configuration
        )
    }

    /// The migrations this store applies, for `parity-service migrate`.
    public static var migrator: DatabaseMigrator { ParityMigrations.migrator }

    /// Names of the applied migrations, oldest first.
    public func appliedMigrations() throws -> [String] {
        try SQLiteDatabase.appliedMigrations(in: pool, migrator: Self.migrator)
    }

    /// Whether no event and no policy is stored yet (a new database that needs seeding).
    public func isEmpty() async throws -> Bool {
        try await pool.read { db in
            try Int.fetchOneCached(db, sql: "SELECT (SELECT COUNT(*) FROM events) + (SELECT COUNT(*) FROM policies)")
                == 0
        }
    }

    /// Runs `body`: a SQLite file serves one process, so no other can be seeding it.
    public func whileSeeding<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        try await body()
    }

    /// Appends `change` and returns its revision, which becomes the etag of what the write touched.
    static func append(_ change: ParityChange, in db: Database) throws -> Int64 {
        try changeLog.append(change, in: db)
    }
}
