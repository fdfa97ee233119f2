"""Each service scaled out: two replicas on one PostgreSQL database behind the gateway. A write through either
replica is read through both and through the gateway, a watcher on one replica sees the writes made through
the other at once (LISTEN/NOTIFY), and a replica killed under load loses only the calls it had in flight."""

from __future__ import annotations

import concurrent.futures
import contextlib
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import grpc
import pytest

import gateway_fixtures
import helpers
import indicator_fixtures
import parity_fixtures
import postgres_fixtures
import programme_fixtures
from gateway_fixtures import bearer, status_of
from programme_fixtures import skip_in_python_peer_mode

P = helpers.load_protos()
GATEWAY = bearer("writer-key")
TIMEOUT = 10


@dataclass
class ScaledService:
    """How the tests drive one service: start it on a database, write something that identifies itself, read
    it back, and watch for it."""
    grpc_service: str
    argv: Callable[[Any, str], list[str]]
    tokens: str
    direct: tuple  # metadata for calls straight to a replica
    startup_timeout: float
    write: Callable[[grpc.Channel, tuple, int], Any]  # -> what read and seen take
    read: Callable[[grpc.Channel, tuple, Any], bool]  # whether the write is there
    watch: Callable[[grpc.Channel, tuple], Any]  # a response stream from now on
    seen: Callable[[Any, Any], bool]  # whether a watch response carries the write
    # A read that adds up many records (a summary or report, which a replica keeps per change-log revision), as
    # the number of records it covers; None where the service has none.
    tally: Callable[[grpc.Channel, tuple], int] | None = None


def _indicator_write(channel, metadata, n):
    stub = P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
    pb = indicator_fixtures.pb
    # The load's writes (n >= 100) go to another economy, so they never hide the one a reader checks.
    area, year, value = "BGD" if n < 100 else "ETH", time.gmtime().tm_year, 20.0 + n
    stub.UpsertObservations(pb.UpsertObservationsRequest(observations=[pb.ObservationInput(
        series_code="NV_IND_MANF", area_code=area, year=year, value=value, unit="PERCENT", nature="E",
        source="replica test")]), metadata=metadata, timeout=TIMEOUT)
    return area, year, value


def _indicator_read(channel, metadata, written):
    stub = P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
    latest = stub.GetLatestValues(indicator_fixtures.pb.GetLatestValuesRequest(
        series_code="NV_IND_MANF", area_codes=[written[0]]), metadata=metadata, timeout=TIMEOUT)
    return (latest.values[0].area_code, latest.values[0].year, latest.values[0].value) == written


def _programme_write(channel, metadata, n):
    types_pb = P.programmes_pb2
    programme = types_pb.Programme(title=f"Replica test programme {n}", kind=types_pb.PROGRAMME_KIND_PCP,
                                   countries=[types_pb.Country(iso_alpha3="ETH")], sdg_goals=[9],
                                   dates=types_pb.ProgrammeDates(planned_start=programme_fixtures.date(2024, 1, 1)))
    stub = programme_fixtures.stub(channel)
    return stub.CreateProgramme(P.programme_service_pb2.CreateProgrammeRequest(programme=programme),
                                metadata=metadata, timeout=TIMEOUT).id


def _programme_read(channel, metadata, programme_id):
    stub = programme_fixtures.stub(channel)
    got = stub.GetProgramme(P.programme_service_pb2.GetProgrammeRequest(id=programme_id), metadata=metadata,
                            timeout=TIMEOUT)
    return got.id == programme_id and got.title.startswith("Replica test programme")


def _programme_tally(channel, metadata):
    summary = programme_fixtures.stub(channel).GetPortfolioSummary(P.programme_service_pb2.GetPortfolioSummaryRequest(
        filter=P.programme_service_pb2.ListProgrammesRequest(title_contains="Replica test programme")),
        metadata=metadata, timeout=TIMEOUT)
    return summary.total.programme_count


def _parity_write(channel, metadata, n):
    return parity_fixtures.create_event(parity_fixtures.stub(channel), title=f"Replica test event {n}",
                                        metadata=metadata).id


def _parity_tally(channel, metadata):
    report = parity_fixtures.stub(channel).GetComplianceReport(P.parity_service_pb2.GetComplianceReportRequest(),
                                                               metadata=metadata, timeout=TIMEOUT)
    return report.total.events + report.undated_events


def _parity_read(channel, metadata, event_id):
    got = parity_fixtures.stub(channel).GetEvent(P.parity_service_pb2.GetEventRequest(id=event_id),
                                                 metadata=metadata, timeout=TIMEOUT)
    return got.id == event_id and got.title.startswith("Replica test event")


SERVICES = {
    "indicators": ScaledService(
        grpc_service="isid.indicators.v1.IndicatorService",
        argv=lambda executable, url: indicator_fixtures.service_argv(executable, url),
        tokens=indicator_fixtures.API_TOKENS, direct=indicator_fixtures.WRITE_METADATA,
        startup_timeout=indicator_fixtures.STARTUP_TIMEOUT,
        write=_indicator_write, read=_indicator_read,
        watch=lambda channel, metadata: P.indicator_service_pb2_grpc.IndicatorServiceStub(channel).WatchChanges(
            indicator_fixtures.pb.WatchChangesRequest(series_codes=["NV_IND_MANF"]), metadata=metadata,
            timeout=20),
        seen=lambda response, written: any(
            (c.observation.area_code, c.observation.year, c.observation.value) == written
            for c in response.changes)),
    "programmes": ScaledService(
        grpc_service="isid.programmes.v1.ProgrammeService",
        argv=lambda executable, url: programme_fixtures.service_argv(executable, url),
        tokens=programme_fixtures.API_TOKENS, direct=programme_fixtures.WRITE,
        startup_timeout=programme_fixtures.STARTUP_TIMEOUT,
        write=_programme_write, read=_programme_read,
        watch=lambda channel, metadata: programme_fixtures.stub(channel).WatchProgrammeChanges(
            P.programme_service_pb2.WatchProgrammeChangesRequest(), metadata=metadata, timeout=20),
        seen=lambda response, programme_id: any(c.programme_id == programme_id for c in response.changes),
        tally=_programme_tally),
    "parity": ScaledService(
        grpc_service="isid.parity.v1.ParityService",
        argv=lambda executable, url: parity_fixtures.service_argv(executable, url),
        tokens=parity_fixtures.API_TOKENS, direct=parity_fixtures.WRITE,
        startup_timeout=parity_fixtures.STARTUP_TIMEOUT,
        write=_parity_write, read=_parity_read,
        watch=lambda channel, metadata: parity_fixtures.stub(channel).WatchParityEvents(
            P.parity_service_pb2.WatchParityEventsRequest(), metadata=metadata, timeout=20),
        seen=lambda response, event_id: any(e.event_id == event_id for e in response.events),
        tally=_parity_tally),
}


@pytest.fixture(scope="module", params=list(SERVICES))
def scaled(request, executable, python_peer_mode):
    """Two replicas of one service on a fresh database, started at once, and the gateway before them."""
    skip_in_python_peer_mode(python_peer_mode)
    service = SERVICES[request.param]
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(postgres_fixtures.fresh_database())
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="isid-replicas-")))
        env = {"ISID_API_TOKENS": service.tokens, "ISID_IDENTITY_SECRET": gateway_fixtures.IDENTITY_SECRET}
        replicas = []
        for _ in range(2):
            process = helpers.ServerProcess(service.argv(executable, url), name=request.param, env=env,
                                            startup_timeout=service.startup_timeout)
            stack.callback(process.ensure_dead)
            replicas.append(process)
        for process in replicas:  # together: both migrate and seed the same empty database at once
            process.start()
        keys_file = directory / "keys.json"
        gateway_fixtures.write_keys_file(keys_file)
        gateway = stack.enter_context(gateway_fixtures.running_gateway(
            executable, {service.grpc_service: [r.address for r in replicas]}, keys_file))
        yield service, replicas, gateway


def test_a_write_through_either_replica_is_read_through_both_and_through_the_gateway(scaled):
    service, replicas, gateway = scaled
    with contextlib.ExitStack() as stack:
        channels = [stack.enter_context(helpers.connected_channel(r.address)) for r in replicas]
        through_gateway = stack.enter_context(helpers.connected_channel(gateway.address))
        for n, writer in enumerate(channels):
            written = service.write(writer, service.direct, n)
            assert all(service.read(reader, service.direct, written) for reader in channels)
            # The gateway balances per call: four reads reach both replicas.
            assert all(service.read(through_gateway, GATEWAY, written) for _ in range(4))
        written = service.write(through_gateway, GATEWAY, 2)
        assert all(service.read(reader, service.direct, written) for reader in channels)


def test_a_summary_kept_by_one_replica_counts_a_write_made_through_the_other(scaled):
    service, replicas, _ = scaled
    if service.tally is None:
        pytest.skip("the service has no summary read")
    with contextlib.ExitStack() as stack:
        channels = [stack.enter_context(helpers.connected_channel(r.address)) for r in replicas]
        before = [service.tally(channel, service.direct) for channel in channels]
        assert before[0] == before[1]
        # Asked twice, so that each replica has kept its answer.
        assert [service.tally(channel, service.direct) for channel in channels] == before
        service.write(channels[1], service.direct, 10)
        assert [service.tally(channel, service.direct) for channel in channels] == [before[0] + 1] * 2


def test_a_watcher_on_one_replica_sees_the_writes_made_through_the_other(scaled):
    service, replicas, _ = scaled
    with helpers.connected_channel(replicas[0].address) as a, helpers.connected_channel(replicas[1].address) as b:
        watch = service.watch(b, service.direct)
        next(watch)  # where the watch starts
        written = service.write(a, service.direct, 3)
        began = time.monotonic()
        for response in watch:
            if service.seen(response, written):
                break
        # Woken by the other replica's NOTIFY, not by the once-a-second poll of the log.
        assert time.monotonic() - began < 0.9
        watch.cancel()


def test_a_replica_killed_under_load_loses_only_its_in_flight_calls(scaled):
    """Runs last for each service: it kills one replica."""
    service, replicas, gateway = scaled
    workers = 8
    outcomes: list[tuple[float, grpc.StatusCode]] = []
    lock = threading.Lock()
    with helpers.connected_channel(gateway.address) as channel:
        known = service.write(channel, GATEWAY, 4)
        stop = time.monotonic() + 4.0

        def work(index: int):
            n = 100 + index * 1000
            while time.monotonic() < stop:
                n += 1
                if index < 2:  # two writers, six readers
                    code = status_of(lambda: service.write(channel, GATEWAY, n))
                else:
                    code = status_of(lambda: service.read(channel, GATEWAY, known)
                                     or pytest.fail("a read through the gateway lost the write"))
                with lock:
                    outcomes.append((time.monotonic(), code))

        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(work, index) for index in range(workers)]
            time.sleep(1.5)
            killed_at = time.monotonic()
            replicas[0].proc.kill()
            for future in futures:
                future.result()
        failures = [code for _, code in outcomes if code != grpc.StatusCode.OK]
        # At most the calls in flight when it died fail (reads are retried on the survivor).
        assert len(failures) <= workers, failures
        after = [code for at, code in outcomes if at > killed_at + 0.5]
        assert after and all(code == grpc.StatusCode.OK for code in after)
        assert len(outcomes) > 50
        # What was written before the kill is all still there, through the survivor.
        with helpers.connected_channel(replicas[1].address) as survivor:
            assert service.read(survivor, service.direct, known)
