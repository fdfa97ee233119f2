import IsidStorage

/// The schema of ParityService's PostgreSQL database: the tables of the SQLite schema (``ParityMigrations``)
/// under PostgreSQL's types, documents as BYTEA of the same JSON bytes. Ids and start days sort as bytes
/// (`COLLATE "C"`), as SQLite's text does, so lists come in the same order on both. Never edit a released
/// migration; add the next one.
enum PostgresParityMigrations {
    static let migrator = PostgresMigrator(
        service: "parity",
        migrations: [
            PostgresMigration(
                "v1: events, panels, participants, policy versions, change log",
                [
                    """
                    CREATE TABLE events (
                        id TEXT COLLATE "C" PRIMARY KEY,
                        start_day TEXT COLLATE "C",
                        start_year INTEGER,
                        kind TEXT NOT NULL,
                        programme_id TEXT NOT NULL,
                        programme_link TEXT NOT NULL,
                        example BOOLEAN NOT NULL,
                        etag TEXT NOT NULL,
                        created BIGINT NOT NULL,
                        updated BIGINT NOT NULL,
                        document BYTEA NOT NULL
                    )
                    """,
                    "CREATE INDEX events_by_start ON events (start_day, id)",
                    "CREATE INDEX events_by_programme ON events (programme_id) WHERE programme_id != ''",
                    "CREATE INDEX events_by_link ON events (programme_link) WHERE programme_link = 'unverified'",
                    """
                    CREATE TABLE panels (
                        id TEXT COLLATE "C" PRIMARY KEY,
                        event_id TEXT COLLATE "C" NOT NULL REFERENCES events(id),
                        example BOOLEAN NOT NULL,
                        verdict TEXT NOT NULL,
                        policy_version INTEGER NOT NULL,
                        etag TEXT NOT NULL,
                        created BIGINT NOT NULL,
                        updated BIGINT NOT NULL,
                        document BYTEA NOT NULL
                    )
                    """,
                    "CREATE INDEX panels_by_event ON panels (event_id, created, id)",
                    // The only table holding personal data (display_name, organisation); see
                    // PostgresParityStore.eraseParticipant for how erasure removes it.
                    """
                    CREATE TABLE participants (
                        id TEXT COLLATE "C" PRIMARY KEY,
                        panel_id TEXT COLLATE "C" NOT NULL REFERENCES panels(id),
                        position INTEGER NOT NULL,
                        role TEXT NOT NULL,
                        gender TEXT NOT NULL,
                        display_name TEXT NOT NULL,
                        organisation TEXT NOT NULL,
                        erased BOOLEAN NOT NULL
                    )
                    """,
                    "CREATE INDEX participants_by_panel ON participants (panel_id, position)",
                    """
                    CREATE TABLE policies (
                        version INTEGER PRIMARY KEY,
                        effective_day TEXT NOT NULL UNIQUE,
                        published BIGINT NOT NULL,
                        document BYTEA NOT NULL
                    )
                    """,
                ] + PostgresParityStore.changeLog.schemaStatements
            )
        ]
    )
}
