"""Backups as docs/OPERATIONS.md tells ops to take them, restored and served: a live SQLite database copied
with SQLite's backup API while indicator-service runs, and a PostgreSQL database dumped with pg_dump and
restored with pg_restore into a new one. A service started on the restored copy answers what was written
before the backup, with the same revision token (so clients' tokens stay valid)."""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import helpers
import indicator_fixtures
import postgres_fixtures
from indicator_fixtures import pb
from programme_fixtures import skip_in_python_peer_mode

P = helpers.load_protos()


@pytest.fixture(autouse=True)
def only_against_isid(python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)


@contextlib.contextmanager
def service(executable, database: str):
    process = helpers.ServerProcess(
        [*executable("indicator-service"), "--database", database, "--data-dir", str(indicator_fixtures.DATA_DIR)],
        name="indicator-service", env={"ISID_API_TOKENS": indicator_fixtures.API_TOKENS},
        startup_timeout=indicator_fixtures.STARTUP_TIMEOUT)
    try:
        process.start()
        with helpers.connected_channel(process.address) as channel:
            yield P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
        process.stop()
    finally:
        process.ensure_dead()


def write_one(client) -> str:
    """Writes an observation only the API knows (not in the shipped data); returns the revision token."""
    written = client.UpsertObservations(pb.UpsertObservationsRequest(observations=[pb.ObservationInput(
        series_code="NV_IND_MANF", area_code="KHM", year=time.gmtime().tm_year, value=17.25, unit="PERCENT",
        nature="E", source="backup test")]), metadata=indicator_fixtures.WRITE_METADATA, timeout=10)
    assert written.inserted == 1
    return written.revision_token


def read_back(client) -> tuple[float, str]:
    latest = client.GetLatestValues(pb.GetLatestValuesRequest(series_code="NV_IND_MANF", area_codes=["KHM"]),
                                    timeout=10)
    return latest.values[0].value, latest.revision_token


def test_sqlite_online_backup_restores_every_write(executable):
    with tempfile.TemporaryDirectory(prefix="isid-backup-") as directory:
        live, copy = Path(directory) / "indicators.sqlite", Path(directory) / "backup.sqlite"
        with service(executable, str(live)) as client:
            token = write_one(client)
            # While the server runs (WAL mode): the backup API takes a consistent snapshot.
            subprocess.run(["sqlite3", str(live), f".backup {copy}"], check=True, timeout=60)
        with service(executable, str(copy)) as restored:
            assert read_back(restored) == (17.25, token)


def test_postgres_dump_and_restore_restores_every_write(executable):
    with postgres_fixtures.fresh_database() as original, postgres_fixtures.fresh_database() as target:
        with tempfile.TemporaryDirectory(prefix="isid-backup-") as directory:
            dump = Path(directory) / "indicators.dump"
            with service(executable, original) as client:
                token = write_one(client)
                # Online, as pg_dump reads one consistent snapshot; the custom format restores selectively.
                subprocess.run(["pg_dump", "--format=custom", "--file", str(dump),
                                "--dbname", original.split("?")[0]], check=True, timeout=120)
            subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname", target.split("?")[0],
                            str(dump)], check=True, timeout=120)
            with service(executable, target) as restored:
                assert read_back(restored) == (17.25, token)
