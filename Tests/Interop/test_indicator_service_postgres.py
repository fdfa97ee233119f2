"""indicator-service on PostgreSQL, two replicas on one database: seeded once however many start, a write
through one is read through the other, and a watcher on one sees the writes made through the other at once
(LISTEN/NOTIFY), and with PostgreSQL restarted under load calls fail at once with UNAVAILABLE and recover by
themselves."""

from __future__ import annotations

import contextlib
import time

import grpc
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
                 str(indicator_fixtures.DATA_DIR), "--metrics-port", str(helpers.free_port())],
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


def test_postgres_restarted_under_load_fails_fast_and_recovers(replicas):
    """Runs last: it stops and starts the test server (Debian's cluster; CI runs as root)."""
    import os
    import subprocess
    import threading

    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("CI runs as root so that this test can restart PostgreSQL")
        pytest.skip("restarting the PostgreSQL cluster needs root")
    version = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: [int(p) for p in v.split(".")])[-1]
    outcomes: list[tuple[float, grpc.StatusCode, float]] = []
    stop = threading.Event()

    def load(process):
        with helpers.connected_channel(process.address) as channel:
            client = P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
            request = pb.GetLatestValuesRequest(series_code="NV_IND_MANF", area_codes=["DEU"])
            while not stop.is_set():
                began = time.monotonic()
                try:
                    client.GetLatestValues(request, timeout=5)
                    code = grpc.StatusCode.OK
                except grpc.RpcError as error:
                    code = error.code()
                outcomes.append((began, code, time.monotonic() - began))
                time.sleep(0.02)

    def database_up(process) -> str:
        import urllib.request

        port = process.argv[process.argv.index("--metrics-port") + 1]
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        return next(line.split()[-1] for line in text.splitlines() if line.startswith("isid_database_up{"))

    assert database_up(replicas[0]) == "1.0"
    workers = [threading.Thread(target=load, args=(process,)) for process in replicas]
    for worker in workers:
        worker.start()
    try:
        time.sleep(1)
        subprocess.run(["pg_ctlcluster", version, "main", "stop", "-m", "fast"], check=True, timeout=60)
        time.sleep(3)
        down = database_up(replicas[0])
        subprocess.run(["pg_ctlcluster", version, "main", "start"], check=True, timeout=60)
        restarted = time.monotonic()
        time.sleep(4)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=10)
        subprocess.run(["pg_ctlcluster", version, "main", "start"], timeout=60)  # whatever happened above
    failures = [(code, took) for _, code, took in outcomes if code != grpc.StatusCode.OK]
    assert failures, "the outage was not seen"
    # Down, calls fail with UNAVAILABLE (which clients retry), never UNKNOWN and never waiting out their
    # deadline; once the pool's probe has seen the outage (within about two seconds), at once.
    assert {code for code, _ in failures} == {grpc.StatusCode.UNAVAILABLE}, failures[:5]
    assert max(took for _, took in failures) < 4.5
    assert sorted(took for _, took in failures)[len(failures) // 2] < 0.1
    # Back, they succeed again by themselves within a few seconds.
    after = [code for began, code, _ in outcomes if began > restarted + 2.5]
    assert after and all(code == grpc.StatusCode.OK for code in after)
    # The outage shows in isid_database_up, for the alert.
    assert down == "0.0" and database_up(replicas[0]) == "1.0"
