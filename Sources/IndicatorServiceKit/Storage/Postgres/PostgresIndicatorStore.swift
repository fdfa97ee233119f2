public import IsidStorage
public import Logging
import PostgresNIO

/// IndicatorStore on PostgreSQL: the same tables as the SQLite store under PostgreSQL's types, the change log
/// of IsidStorage (writers take turns, so revisions commit in order), and LISTEN/NOTIFY so that a commit
/// through one replica wakes the watchers of every other (run ``listener`` beside the server).
public final class PostgresIndicatorStore: IndicatorStore, PostgresChangeSource {
    public let database: PostgresPool
    public let notifier = ChangeNotifier()
    public let logger: Logger

    public static let changeLog = PostgresChangeLog<ObservationChange>(channel: "isid_indicator_changes")

    /// The schema as versioned migrations; never edit a released one, add the next.
    public static let migrator = PostgresMigrator(
        service: "indicators",
        migrations: [
            PostgresMigration(
                "v1: series, areas, observations, change log",
                [
                    """
                    CREATE TABLE series (
                        code TEXT PRIMARY KEY,
                        sdg_indicator TEXT NOT NULL,
                        description TEXT NOT NULL,
                        unit TEXT NOT NULL,
                        unit_description TEXT NOT NULL,
                        better TEXT CHECK (better IN ('higher', 'lower')),
                        direction_note TEXT NOT NULL,
                        custodian TEXT NOT NULL,
                        last_revision BIGINT NOT NULL DEFAULT 0
                    )
                    """,
                    """
                    CREATE TABLE areas (
                        code TEXT PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('economy', 'aggregate')),
                        name TEXT NOT NULL,
                        un_sdg_name TEXT NOT NULL,
                        iso_alpha3 TEXT NOT NULL,
                        iso_alpha2 TEXT NOT NULL,
                        m49 TEXT NOT NULL,
                        region TEXT NOT NULL, region_m49 TEXT NOT NULL,
                        sub_region TEXT NOT NULL, sub_region_m49 TEXT NOT NULL,
                        intermediate_region TEXT NOT NULL, intermediate_region_m49 TEXT NOT NULL,
                        wb_region TEXT NOT NULL,
                        income_group TEXT NOT NULL,
                        ldc BOOLEAN NOT NULL
                    )
                    """,
                    """
                    CREATE TABLE area_members (
                        group_code TEXT NOT NULL REFERENCES areas(code),
                        member_code TEXT NOT NULL REFERENCES areas(code),
                        PRIMARY KEY (group_code, member_code)
                    )
                    """,
                    """
                    CREATE TABLE observations (
                        series_code TEXT NOT NULL REFERENCES series(code),
                        area_code TEXT NOT NULL REFERENCES areas(code),
                        year INTEGER NOT NULL,
                        value DOUBLE PRECISION NOT NULL,
                        unit TEXT NOT NULL,
                        nature TEXT NOT NULL,
                        source TEXT NOT NULL,
                        footnote TEXT NOT NULL,
                        revision BIGINT NOT NULL,
                        PRIMARY KEY (series_code, area_code, year)
                    )
                    """,
                    "CREATE INDEX observations_by_series_year ON observations (series_code, year, area_code)",
                ] + changeLog.schemaStatements
            )
        ]
    )

    /// A store on `database`, whose pool must be running; ``open(_:logger:)`` also migrates.
    public init(database: PostgresPool, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Migrates the database (once, whichever replica starts first) and returns the store.
    public static func open(_ database: PostgresPool, logger: Logger) async throws -> PostgresIndicatorStore {
        try await migrator.migrate(database.client, logger: logger)
        return PostgresIndicatorStore(database: database, logger: logger)
    }

    /// Wakes this replica's watchers on every replica's commits; run it beside the server.
    public var listener: PostgresChangeListener {
        PostgresChangeListener(database: database, channel: Self.changeLog.channel, notifier: notifier, logger: logger)
    }

    /// The change log's head: every replica commits through it, so it moves at every commit (one round trip,
    /// which keeps a write through one replica visible at once through every other).
    public func dataVersion() async throws -> Int64 { try await currentRevision() }

    /// Whether the catalogue is empty (a new database that needs seeding).
    public func isEmpty() async throws -> Bool {
        let rows = try await database.query("SELECT COUNT(*)::BIGINT FROM series", logger: logger)
        for try await count in rows.decode(Int64.self) { return count == 0 }
        return true
    }

    /// Names of the applied migrations, oldest first.
    public func appliedMigrations() async throws -> [String] {
        try await Self.migrator.applied(database.client, logger: logger)
    }
}
