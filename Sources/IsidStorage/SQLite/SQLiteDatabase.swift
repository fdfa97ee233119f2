public import GRDB

/// Opens the SQLite databases of Isid's services the same way: a `DatabasePool` (WAL mode, so readers never
/// block the writer and see only committed transactions), `synchronous = FULL`, foreign keys on, and the
/// service's migrations applied.
///
/// Durability: in WAL mode a commit appends to the `-wal` file. With `synchronous = FULL` SQLite fsyncs the WAL
/// at every commit, so a transaction whose commit returned (and hence every write a client was told
/// succeeded) survives a process crash *and* a power loss or kernel crash. `NORMAL` would survive a process
/// crash (SIGKILL: the bytes are in the OS page cache) but could lose the last commits on power loss until the
/// next checkpoint; the price of `FULL` is one fsync per write transaction, which batch upserts amortise.
public enum SQLiteDatabase {
    /// Opens (creating if needed) the database at `path` and migrates it to the latest schema.
    /// `configuration` is ``configuration()`` unless a service needs more (e.g. `PRAGMA secure_delete` where
    /// erased data must not linger in free pages).
    public static func open(
        path: String,
        migrator: DatabaseMigrator,
        configuration: Configuration = configuration()
    ) throws -> DatabasePool {
        let pool = try DatabasePool(path: path, configuration: configuration)
        try migrator.migrate(pool)
        return pool
    }

    /// The configuration every Isid database uses.
    public static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        // Several readers; one writer is all SQLite has anyway.
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            // DatabasePool switches the file to WAL itself; durability is chosen here (see above).
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return configuration
    }

    /// The names of the migrations applied to `database`, oldest first.
    public static func appliedMigrations(
        in database: some DatabaseReader,
        migrator: DatabaseMigrator
    ) throws
        -> [String]
    {
        try database.read { db in try migrator.appliedMigrations(db) }
    }
}
