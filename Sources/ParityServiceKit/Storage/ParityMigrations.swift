import GRDB
import IsidStorage

/// The schema of ParityService's SQLite database, as versioned migrations. Never edit a released migration;
/// add the next one.
enum ParityMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: events, panels, participants, policy versions, change log") { db in
            try db.execute(sql: v1)
            try SQLiteParityStore.changeLog.createTable(in: db)
        }
        return migrator
    }

    private static let v1 = """
        -- One row per event: what lists and reports filter on, and the whole event as a JSON document.
        CREATE TABLE events (
            id TEXT PRIMARY KEY,
            start_day TEXT,                      -- earliest possible start day, YYYY-MM-DD; NULL if undated
            start_year INTEGER,
            kind TEXT NOT NULL,
            programme_id TEXT NOT NULL,          -- '' when none
            programme_link TEXT NOT NULL,        -- a ProgrammeLinkStatus
            example INTEGER NOT NULL,
            etag TEXT NOT NULL,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            document BLOB NOT NULL
        ) STRICT;
        CREATE INDEX events_by_start ON events (start_day, id);
        CREATE INDEX events_by_programme ON events (programme_id) WHERE programme_id != '';
        CREATE INDEX events_by_link ON events (programme_link) WHERE programme_link = 'unverified';

        -- Panels hold no personal data; `verdict` is the last recorded one, to tell when compliance changes.
        CREATE TABLE panels (
            id TEXT PRIMARY KEY,
            event_id TEXT NOT NULL REFERENCES events(id),
            example INTEGER NOT NULL,
            verdict TEXT NOT NULL,               -- a Verdict, or '' when it cannot be evaluated
            policy_version INTEGER NOT NULL,
            etag TEXT NOT NULL,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            document BLOB NOT NULL
        ) STRICT;
        CREATE INDEX panels_by_event ON panels (event_id, created, id);

        -- The only table holding personal data (display_name, organisation). Erasure blanks both; the
        -- database runs with secure_delete so the old text does not stay in free space.
        CREATE TABLE participants (
            id TEXT PRIMARY KEY,
            panel_id TEXT NOT NULL REFERENCES panels(id),
            position INTEGER NOT NULL,
            role TEXT NOT NULL,
            gender TEXT NOT NULL,
            display_name TEXT NOT NULL,
            organisation TEXT NOT NULL,
            erased INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX participants_by_panel ON participants (panel_id, position);

        CREATE TABLE policies (
            version INTEGER PRIMARY KEY,
            effective_day TEXT NOT NULL UNIQUE,  -- YYYY-MM-DD
            published INTEGER NOT NULL,
            document BLOB NOT NULL
        ) STRICT;
        """
}
