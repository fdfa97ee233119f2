import Foundation
public import GRDB
public import IsidStorage

/// ProgrammeStore on SQLite through GRDB, in WAL mode (see `SQLiteDatabase` for durability). Every write
/// reads, checks and writes in one transaction, appends to the change log in it, and wakes watchers after
/// the commit.
public final class SQLiteProgrammeStore: ProgrammeStore, SQLiteChangeSource {
    public let pool: DatabasePool
    public let notifier = ChangeNotifier()

    /// The change log: every change of every programme, with the programme as it was after it.
    public static let changeLog = SQLiteChangeLog<ProgrammeChange>()

    /// Opens (creating and migrating) the database at `path`.
    public init(path: String) throws {
        self.pool = try SQLiteDatabase.open(path: path, migrator: ProgrammeMigrations.migrator)
    }

    /// The migrations this store applies, for `programme-service migrate`.
    public static var migrator: DatabaseMigrator { ProgrammeMigrations.migrator }

    /// Whether no programme is stored yet (a new database that needs seeding).
    public func isEmpty() async throws -> Bool {
        try await pool.read { db in try Int.fetchOneCached(db, sql: "SELECT COUNT(*) FROM programmes") == 0 }
    }

    /// Programme rows as `SELECT id, etag, created, updated, revision, document`.
    static let columns = "id, etag, created, updated, revision, document"

    static func stored(_ row: Row) throws -> StoredProgramme {
        StoredProgramme(
            programme: try DecodedProgrammes.shared.programme(id: row[0], revision: row[4], document: row[5]),
            etag: row[1],
            created: row[2],
            updated: row[3],
            revision: row[4]
        )
    }

    static func stored(id: String, in db: Database) throws -> StoredProgramme? {
        try Row.fetchOneCached(db, sql: "SELECT \(columns) FROM programmes WHERE id = ?", arguments: [id])
            .map(stored)
    }
}

extension Row {
    fileprivate static func fetchOneCached(_ db: Database, sql: String, arguments: StatementArguments) throws -> Row? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension SQLiteProgrammeStore {
    /// Names of the applied migrations, oldest first.
    public func appliedMigrations() throws -> [String] {
        try SQLiteDatabase.appliedMigrations(in: pool, migrator: Self.migrator)
    }
}
