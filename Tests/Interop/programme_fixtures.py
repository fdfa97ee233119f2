"""Shared pieces of the ProgrammeService tests: starting ``programme-service`` on a temporary database seeded
from the shipped UNIDO IATI file (and ``indicator-service`` beside it for results), stubs and write metadata."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import helpers
from indicator_fixtures import running_service as running_indicator_service

P = helpers.load_protos()
pb = P.programme_service_pb2
types_pb = P.programmes_pb2
indicators_pb = P.indicators_pb2

UNIDO_FILE = helpers.REPO_ROOT / "Data" / "iati" / "unido-XM-DAC-41123-activities-2.03.xml"
EXAMPLE_FILE = helpers.REPO_ROOT / "Tests" / "ProgrammeServiceTests" / "Fixtures" / "activity-standard-example-annotated.xml"
REPORT_FILE = helpers.REPO_ROOT / "Data" / "reports" / "unido-2030-agenda-2020.json"
SCHEMA = helpers.REPO_ROOT / "Data" / "iati" / "schema-2.03" / "iati-activities-schema.xsd"
ECONOMIES = helpers.REPO_ROOT / "Data" / "sdg9" / "economies.csv"
WRITER_TOKEN = "programme-writer-token"
READER_TOKEN = "programme-reader-token"
API_TOKENS = f"{WRITER_TOKEN}=programmes:write programmes:read,{READER_TOKEN}=programmes:read"
WRITE = (("authorization", f"Bearer {WRITER_TOKEN}"),)
STARTUP_TIMEOUT = 60.0


def service_argv(executable, database: Path, *extra: str) -> list[str]:
    return [
        *executable("programme-service"), "--database", str(database), "--economies-file", str(ECONOMIES),
        "--seed-iati", str(UNIDO_FILE), "--seed-report", str(REPORT_FILE), *extra,
    ]


@contextlib.contextmanager
def running_service(executable, *extra: str, database: Path | None = None):
    """programme-service on 127.0.0.1:0 with a fresh database; SIGTERM and exit 0 on the way out."""
    with contextlib.ExitStack() as stack:
        if database is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="isid-programmes-")))
            database = directory / "programmes.sqlite"
        process = helpers.ServerProcess(
            service_argv(executable, database, *extra), name="programme-service",
            env={"ISID_API_TOKENS": API_TOKENS}, startup_timeout=STARTUP_TIMEOUT,
        )
        try:
            process.start()
            yield process
            process.stop()
        finally:
            process.ensure_dead()


def stub(channel):
    return P.programme_service_pb2_grpc.ProgrammeServiceStub(channel)


def money(currency: str, minor_units: int):
    return types_pb.Money(currency_code=currency, minor_units=minor_units)


def date(year: int, month: int, day: int):
    from google.type import date_pb2

    return date_pb2.Date(year=year, month=month, day=day)


def skip_in_python_peer_mode(python_peer_mode: bool) -> None:
    import pytest

    if python_peer_mode:
        pytest.skip("programme-service has no Python stand-in; nothing to self-check")


__all__ = ["running_indicator_service"]
