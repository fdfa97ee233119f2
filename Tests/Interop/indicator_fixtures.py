"""Shared pieces of the IndicatorService tests: starting ``indicator-service`` on a temporary database seeded
from the shipped ``Data/sdg9``, stubs, write metadata, and decoding google.rpc.BadRequest details."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import grpc

import helpers

P = helpers.load_protos()
pb = P.indicator_service_pb2
types_pb = P.indicators_pb2

DATA_DIR = helpers.REPO_ROOT / "Data" / "sdg9"
WRITER_TOKEN = "test-writer-token"
READER_TOKEN = "test-reader-token"
API_TOKENS = f"{WRITER_TOKEN}=indicators:write indicators:read,{READER_TOKEN}=indicators:read"
WRITE_METADATA = (("authorization", f"Bearer {WRITER_TOKEN}"),)
# Seeding the whole shipped data set on first start takes a few seconds in a debug build.
STARTUP_TIMEOUT = 90.0


def service_argv(executable, database: Path, *extra: str) -> list[str]:
    return [*executable("indicator-service"), "--database", str(database), "--data-dir", str(DATA_DIR), *extra]


@contextlib.contextmanager
def running_service(executable, database: Path | None = None, *extra: str):
    """indicator-service on 127.0.0.1:0 with a fresh (or the given) database; SIGTERM and exit 0 on the way out."""
    with contextlib.ExitStack() as stack:
        if database is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="isid-indicators-")))
            database = directory / "indicators.sqlite"
        process = helpers.ServerProcess(
            service_argv(executable, database, *extra), name="indicator-service",
            env={"ISID_API_TOKENS": API_TOKENS}, startup_timeout=STARTUP_TIMEOUT,
        )
        try:
            process.start()
            yield process
            process.stop()
        finally:
            process.ensure_dead()


def stub(channel):
    return P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)


def bad_request_fields(error: grpc.RpcError) -> dict[str, str]:
    """field -> description of the google.rpc.BadRequest in the error's grpc-status-details-bin trailer."""
    from google.rpc import error_details_pb2, status_pb2

    details = dict(error.trailing_metadata() or ()).get("grpc-status-details-bin")
    assert details is not None, f"no grpc-status-details-bin in {error!r}"
    status = status_pb2.Status.FromString(details)
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    fields = {}
    for detail in status.details:
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            fields.update({v.field: v.description for v in bad_request.field_violations})
    return fields


def observation_input(series: str, area: str, year: int, value: float, *, unit: str = "PERCENT",
                      nature: str = "E", source: str = "interop test") -> object:
    return pb.ObservationInput(series_code=series, area_code=area, year=year, value=value, unit=unit,
                               nature=nature, source=source)


def skip_in_python_peer_mode(python_peer_mode: bool) -> None:
    import pytest

    if python_peer_mode:
        pytest.skip("indicator-service has no Python stand-in; nothing to self-check")

