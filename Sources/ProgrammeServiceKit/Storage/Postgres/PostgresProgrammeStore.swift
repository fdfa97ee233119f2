import Foundation
public import IsidStorage
public import Logging
import PostgresNIO

/// ProgrammeStore on PostgreSQL: the tables of the SQLite store under PostgreSQL's types, the change log of
/// IsidStorage, and LISTEN/NOTIFY so that a commit through one replica wakes the watchers of every other (run
/// ``listener`` beside the server). Every write takes the change log's lock first, so writes to programmes
/// take turns as they do in SQLite: an etag read in a write is still current when the write commits.
public final class PostgresProgrammeStore: ProgrammeStore, PostgresChangeSource {
    public let database: PostgresPool
    public let notifier = ChangeNotifier()
    public let logger: Logger

    public static let changeLog = PostgresChangeLog<ProgrammeChange>(channel: "isid_programme_changes")

    /// The schema as versioned migrations, named as the SQLite ones; never edit a released one, add the next.
    public static let migrator = PostgresMigrator(
        service: "programmes",
        migrations: [
            PostgresMigration(
                "v1: programmes, their filter indexes, idempotency keys, exchange rates, change log",
                [
                    // Ids and codes order bytewise ("C"), as in SQLite, whatever the database's collation.
                    // The columns lists filter and order on, and the whole programme as a JSON document (exact:
                    // money in minor units, dates and percentages as text).
                    """
                    CREATE TABLE programmes (
                        id TEXT COLLATE "C" PRIMARY KEY,
                        iati_identifier TEXT UNIQUE,
                        kind TEXT NOT NULL,
                        status TEXT NOT NULL,
                        title TEXT NOT NULL,
                        parent_id TEXT REFERENCES programmes(id),
                        etag TEXT NOT NULL,
                        created BIGINT NOT NULL,
                        updated BIGINT NOT NULL,
                        revision BIGINT NOT NULL,
                        document BYTEA NOT NULL
                    )
                    """,
                    "CREATE INDEX programmes_by_parent ON programmes (parent_id)",
                    """
                    CREATE TABLE programme_countries (
                        country TEXT NOT NULL,
                        programme_id TEXT NOT NULL REFERENCES programmes(id),
                        PRIMARY KEY (country, programme_id)
                    )
                    """,
                    """
                    CREATE TABLE programme_partners (
                        name_key TEXT NOT NULL,
                        type TEXT NOT NULL,
                        programme_id TEXT NOT NULL REFERENCES programmes(id),
                        PRIMARY KEY (name_key, type, programme_id)
                    )
                    """,
                    "CREATE INDEX programme_partners_by_type ON programme_partners (type, programme_id)",
                    """
                    CREATE TABLE programme_sdgs (
                        code TEXT NOT NULL,
                        programme_id TEXT NOT NULL REFERENCES programmes(id),
                        PRIMARY KEY (code, programme_id)
                    )
                    """,
                    """
                    CREATE TABLE idempotency_keys (
                        request_id TEXT PRIMARY KEY,
                        programme_id TEXT NOT NULL REFERENCES programmes(id)
                    )
                    """,
                    """
                    CREATE TABLE exchange_rates (
                        from_currency TEXT COLLATE "C" NOT NULL,
                        to_currency TEXT COLLATE "C" NOT NULL,
                        date TEXT NOT NULL,
                        rate TEXT NOT NULL,
                        source TEXT NOT NULL,
                        PRIMARY KEY (from_currency, to_currency, date)
                    )
                    """,
                ] + changeLog.schemaStatements
            ),
            PostgresMigration(
                "v2: reported figures and the datasets seeded",
                [
                    """
                    CREATE TABLE reported_figures (
                        id TEXT COLLATE "C" PRIMARY KEY,
                        programme_id TEXT REFERENCES programmes(id),
                        document BYTEA NOT NULL
                    )
                    """,
                    "CREATE INDEX reported_figures_by_programme ON reported_figures (programme_id)",
                    "CREATE TABLE seeded_datasets (name TEXT PRIMARY KEY, seeded BIGINT NOT NULL)",
                ]
            ),
        ]
    )

    /// A store on `database`, whose pool must be running; ``open(_:logger:)`` also migrates.
    public init(database: PostgresPool, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Migrates the database (once, whichever replica starts first) and returns the store.
    public static func open(_ database: PostgresPool, logger: Logger) async throws -> PostgresProgrammeStore {
        try await migrator.migrate(database.client, logger: logger)
        return PostgresProgrammeStore(database: database, logger: logger)
    }

    /// Wakes this replica's watchers on every replica's commits; run it beside the server.
    public var listener: PostgresChangeListener {
        PostgresChangeListener(database: database, channel: Self.changeLog.channel, notifier: notifier, logger: logger)
    }

    /// Whether no programme is stored yet (a new database that needs seeding).
    public func isEmpty() async throws -> Bool {
        let rows = try await database.query("SELECT COUNT(*)::BIGINT FROM programmes", logger: logger)
        for try await count in rows.decode(Int64.self) { return count == 0 }
        return true
    }

    public func appliedMigrations() async throws -> [String] {
        try await Self.migrator.applied(database.client, logger: logger)
    }

    // MARK: Rows

    /// Programme rows as `SELECT id, etag, created, updated, revision, document`.
    static let columns = "p.id, p.etag, p.created, p.updated, p.revision, p.document"

    /// The programmes `query` selects with ``columns``.
    func programmes(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [StoredProgramme] {
        var programmes: [StoredProgramme] = []
        let rows = try await connection.query(query, logger: logger)
        for try await (id, etag, created, updated, revision, document) in rows.decode(
            (String, String, Int64, Int64, Int64, Data).self
        ) {
            programmes.append(
                StoredProgramme(
                    programme: try DecodedProgrammes.shared.programme(id: id, revision: revision, document: document),
                    etag: etag,
                    created: created,
                    updated: updated,
                    revision: revision
                )
            )
        }
        return programmes
    }

    func stored(id: String, on connection: PostgresConnection) async throws -> StoredProgramme? {
        var statement = PostgresStatement()
        let sql = "SELECT \(Self.columns) FROM programmes p WHERE p.id = \(statement.bind(id))"
        return try await programmes(statement.query(sql), on: connection).first
    }

    /// The id of the programme whose IATI identifier is `identifier`, if any.
    func programmeID(iatiIdentifier identifier: String, on connection: PostgresConnection) async throws -> String? {
        var statement = PostgresStatement()
        let sql = "SELECT id FROM programmes WHERE iati_identifier = \(statement.bind(identifier))"
        for try await id in try await connection.query(statement.query(sql), logger: logger).decode(String.self) {
            return id
        }
        return nil
    }
}
