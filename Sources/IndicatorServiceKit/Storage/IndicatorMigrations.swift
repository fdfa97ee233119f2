import GRDB
import IsidStorage

/// The schema of IndicatorService's SQLite database, as versioned migrations. Never edit a released
/// migration; add the next one.
enum IndicatorMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: series, areas, observations, change log") { db in
            try db.execute(sql: v1)
        }
        // The shared change-log schema: `kind` becomes `operation`, which may also be 'withdrawn'. Every
        // change keeps its revision, so tokens issued before stay valid.
        migrator.registerMigration("v2: change log in the shared schema, with withdrawals") { db in
            try SQLiteIndicatorStore.changeLog.rebuildTable(
                in: db,
                selectingFromOldTable: [
                    "revision", "kind", "series_code", "area_code", "year", "value", "previous_value", "unit",
                    "nature", "source", "footnote",
                ]
            )
        }
        return migrator
    }

    private static let v1 = """
        CREATE TABLE series (
            code TEXT PRIMARY KEY,
            sdg_indicator TEXT NOT NULL,
            description TEXT NOT NULL,
            unit TEXT NOT NULL,
            unit_description TEXT NOT NULL,
            better TEXT,                         -- 'higher', 'lower' or NULL
            direction_note TEXT NOT NULL,
            custodian TEXT NOT NULL,
            last_revision INTEGER NOT NULL DEFAULT 0   -- newest change-log revision touching the series
        ) STRICT;

        CREATE TABLE areas (
            code TEXT PRIMARY KEY,               -- ISO alpha-3 (economy) or 3-digit M49 (aggregate)
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
            ldc INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE area_members (
            group_code TEXT NOT NULL REFERENCES areas(code),
            member_code TEXT NOT NULL REFERENCES areas(code),
            PRIMARY KEY (group_code, member_code)
        ) STRICT, WITHOUT ROWID;

        CREATE TABLE observations (
            series_code TEXT NOT NULL REFERENCES series(code),
            area_code TEXT NOT NULL REFERENCES areas(code),
            year INTEGER NOT NULL,
            value REAL NOT NULL,
            unit TEXT NOT NULL,
            nature TEXT NOT NULL,
            source TEXT NOT NULL,
            footnote TEXT NOT NULL,
            revision INTEGER NOT NULL,
            PRIMARY KEY (series_code, area_code, year)
        ) STRICT, WITHOUT ROWID;
        -- The second query order, and year-window reads of the index.
        CREATE INDEX observations_by_series_year ON observations (series_code, year, area_code);

        -- One row per write of an observation; revision is the global, gap-free-in-commit-order position
        -- that revision tokens and the watch stream read.
        CREATE TABLE change_log (
            revision INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('inserted', 'updated')),
            series_code TEXT NOT NULL,
            area_code TEXT NOT NULL,
            year INTEGER NOT NULL,
            value REAL NOT NULL,
            previous_value REAL,
            unit TEXT NOT NULL,
            nature TEXT NOT NULL,
            source TEXT NOT NULL,
            footnote TEXT NOT NULL
        ) STRICT;
        CREATE INDEX change_log_by_series ON change_log (series_code, revision);
        """
}
