"""indicator-service on PostgreSQL, two replicas on one database: seeded once however many start, a write
through one is read through the other, and a watcher on one sees the writes made through the other at once
(LISTEN/NOTIFY)."""

from __future__ import annotations

import contextlib
import time

import pytest

import helpers
import indicator_fixtures
import postgres_fixtures
from indicator_fixtures import pb
from programme_fixtures import skip_in_python_peer_mode

P = helpers.load_protos()


@pytest.fixture(scope="module")
def replicas(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_fixtures.fresh_database())
        started = []
        for _ in range(2):  # started together: both find the database empty, migrate and seed it at once
            process = helpers.ServerProcess(
                [*executable("indicator-service"), "--database", url, "--data-dir",
                 str(indicator_fixtures.DATA_DIR)],
                name="indicator-service", env={"ISID_API_TOKENS": indicator_fixtures.API_TOKENS},
                startup_timeout=indicator_fixtures.STARTUP_TIMEOUT)
            stack.callback(process.ensure_dead)
            started.append(process)
        for process in started:
            process.start()
        yield started


def test_replicas_starting_at_once_seed_the_data_once(replicas):
    counts = []
    for process in replicas:
        with helpers.connected_channel(process.address) as channel:
            client = P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
            series = client.ListSeries(pb.ListSeriesRequest(), timeout=10).series
            counts.append(sum(s.observation_count for s in series))
            latest = client.GetLatestValues(pb.GetLatestValuesRequest(series_code="NV_IND_MANF",
                                                                      area_codes=["DEU"]), timeout=10)
            assert latest.revision_token == "r42270"  # every shipped row once: one revision each
    assert counts == [42_270, 42_270]


def test_a_write_through_one_replica_is_read_and_watched_through_the_other(replicas):
    first, second = replicas
    with helpers.connected_channel(first.address) as a, helpers.connected_channel(second.address) as b:
        writer = P.indicator_service_pb2_grpc.IndicatorServiceStub(a)
        reader = P.indicator_service_pb2_grpc.IndicatorServiceStub(b)
        watch = reader.WatchChanges(pb.WatchChangesRequest(series_codes=["NV_IND_MANF"]), timeout=20)
        start = next(watch)
        year = time.gmtime().tm_year
        written = writer.UpsertObservations(pb.UpsertObservationsRequest(observations=[pb.ObservationInput(
            series_code="NV_IND_MANF", area_code="BGD", year=year, value=24.5, unit="PERCENT", nature="E",
            source="two-replica test")]), metadata=indicator_fixtures.WRITE_METADATA, timeout=10)
        assert written.inserted == 1
        began = time.monotonic()
        change = next(watch)
        # Woken by the other replica's NOTIFY, not by the once-a-second poll of the log.
        assert time.monotonic() - began < 0.9
        assert [(c.observation.area_code, c.observation.year) for c in change.changes] == [("BGD", year)]
        assert change.revision_token == written.revision_token != start.revision_token
        latest = reader.GetLatestValues(pb.GetLatestValuesRequest(series_code="NV_IND_MANF", area_codes=["BGD"]),
                                        timeout=10)
        assert latest.values[0].year == year and latest.values[0].value == 24.5
        watch.cancel()
