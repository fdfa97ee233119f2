import GRDB
import IsidStorage

/// The schema of ProgrammeService's SQLite database, as versioned migrations. Never edit a released migration;
/// add the next one.
enum ProgrammeMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: programmes, their filter indexes, idempotency keys, exchange rates, change log")
        {
            db in
            try db.execute(sql: v1)
            try db.execute(sql: SQLiteProgrammeStore.changeLog.schemaSQL)
        }
        migrator.registerMigration("v2: reported figures and the datasets seeded") { db in
            try db.execute(sql: v2)
        }
        return migrator
    }

    private static let v2 = """
        -- Figures as reports state them (read-only data shipped with the service), one JSON document each.
        CREATE TABLE reported_figures (
            id TEXT PRIMARY KEY,
            programme_id TEXT REFERENCES programmes(id),
            document BLOB NOT NULL
        ) STRICT;
        CREATE INDEX reported_figures_by_programme ON reported_figures (programme_id);

        -- Each shipped dataset is seeded once, even into a database that already holds programmes.
        CREATE TABLE seeded_datasets (
            name TEXT PRIMARY KEY,
            seeded INTEGER NOT NULL              -- seconds since the Unix epoch
        ) STRICT, WITHOUT ROWID;
        """

    private static let v1 = """
        -- One row per programme: the columns lists filter and order on, and the whole programme as a JSON
        -- document (exact: money in minor units, dates and percentages as text).
        CREATE TABLE programmes (
            id TEXT PRIMARY KEY,
            iati_identifier TEXT UNIQUE,
            kind TEXT NOT NULL,
            status TEXT NOT NULL,
            title TEXT NOT NULL,
            parent_id TEXT REFERENCES programmes(id),
            etag TEXT NOT NULL,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            document BLOB NOT NULL
        ) STRICT;
        CREATE INDEX programmes_by_parent ON programmes (parent_id);

        -- What list filters select on, kept with each write of the programme.
        CREATE TABLE programme_countries (
            country TEXT NOT NULL,
            programme_id TEXT NOT NULL REFERENCES programmes(id),
            PRIMARY KEY (country, programme_id)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE programme_partners (
            name_key TEXT NOT NULL,              -- the partner's name, lower-cased
            type TEXT NOT NULL,                  -- a PartnerType, or '' for a participating organisation
            programme_id TEXT NOT NULL REFERENCES programmes(id),
            PRIMARY KEY (name_key, type, programme_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX programme_partners_by_type ON programme_partners (type, programme_id);
        CREATE TABLE programme_sdgs (
            code TEXT NOT NULL,                  -- a goal ("9") or a target ("9.2"); a target also lists its goal
            programme_id TEXT NOT NULL REFERENCES programmes(id),
            PRIMARY KEY (code, programme_id)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE idempotency_keys (
            request_id TEXT PRIMARY KEY,
            programme_id TEXT NOT NULL REFERENCES programmes(id)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE exchange_rates (
            from_currency TEXT NOT NULL,
            to_currency TEXT NOT NULL,
            date TEXT NOT NULL,                  -- YYYY-MM-DD
            rate TEXT NOT NULL,                  -- exact decimal
            source TEXT NOT NULL,
            PRIMARY KEY (from_currency, to_currency, date)
        ) STRICT, WITHOUT ROWID;
        """
}
