"""IndicatorService through a stock grpcio client on loopback: every RPC, its errors (NOT_FOUND,
INVALID_ARGUMENT with google.rpc.BadRequest, UNAUTHENTICATED, PERMISSION_DENIED), pagination, the poller's
"unchanged" answer, the SDG-9 composite recomputed independently from the served observations, the watch stream
resuming after a disconnect, and no acknowledged batch lost to a SIGKILL under write load."""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import grpc
import pytest

import helpers
from indicator_fixtures import (
    API_TOKENS,
    DATA_DIR,
    READER_TOKEN,
    WRITE_METADATA,
    bad_request_fields,
    observation_input,
    pb,
    running_service,
    service_argv,
    skip_in_python_peer_mode,
    stub,
    types_pb,
)

TIMEOUT = helpers.RPC_TIMEOUT


@pytest.fixture(scope="module")
def service(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with running_service(executable) as process:
        yield process


@pytest.fixture
def client(service):
    with helpers.connected_channel(service.address) as channel:
        yield stub(channel)


def all_pages(client, request) -> list:
    rows, token = [], ""
    while True:
        request.page_token = token
        page = client.QueryObservations(request, timeout=TIMEOUT)
        rows.extend(page.observations)
        token = page.next_page_token
        if not token:
            return rows


# -- catalogue -----------------------------------------------------------------------------------------

def test_data_source_carries_the_attribution(client):
    source = client.GetDataSource(pb.GetDataSourceRequest(), timeout=TIMEOUT)
    assert source.attribution.startswith("Source: United Nations Statistics Division, Global SDG Indicators Database")
    assert "CC BY-SA 4.0" in source.attribution and source.extract_date == "2023-12-17"
    assert len(source.sources) == 4


def test_list_and_get_series(client):
    listing = client.ListSeries(pb.ListSeriesRequest(), timeout=TIMEOUT)
    codes = [s.code for s in listing.series]
    assert len(codes) == 12 and codes == sorted(codes) and "NV_IND_MANF" in codes
    assert listing.attribution.startswith("Source: United Nations Statistics Division")
    manf = client.GetSeries(pb.GetSeriesRequest(code="NV_IND_MANF"), timeout=TIMEOUT)
    assert (manf.sdg_indicator, manf.sdg_target, manf.unit) == ("9.2.1", "9.2", "PERCENT")
    assert manf.better == types_pb.BETTER_DIRECTION_HIGHER
    assert "double its share in least developed countries" in manf.target_text
    # 4,842 economy rows plus the aggregates' rows of the series.
    assert manf.observation_count > 4842 and (manf.first_year, manf.last_year) == (2000, 2022)
    co2 = client.GetSeries(pb.GetSeriesRequest(code="EN_ATM_CO2MVA"), timeout=TIMEOUT)
    assert co2.better == types_pb.BETTER_DIRECTION_LOWER


def test_list_and_get_areas(client):
    economies = client.ListAreas(pb.ListAreasRequest(kind=types_pb.AREA_KIND_ECONOMY), timeout=TIMEOUT).areas
    aggregates = client.ListAreas(pb.ListAreasRequest(kind=types_pb.AREA_KIND_AGGREGATE), timeout=TIMEOUT).areas
    assert len(economies) == 251 and len(aggregates) == 47
    ldcs = client.ListAreas(pb.ListAreasRequest(ldc_only=True), timeout=TIMEOUT).areas
    assert len(ldcs) == 44 and all(a.ldc for a in ldcs)
    europe = client.ListAreas(pb.ListAreasRequest(region_m49="150"), timeout=TIMEOUT).areas
    assert "DEU" in {a.code for a in europe} and "BGD" not in {a.code for a in europe}
    deu = client.GetArea(pb.GetAreaRequest(code="DEU"), timeout=TIMEOUT)
    assert (deu.iso_alpha2, deu.m49, deu.region, deu.income_group) == ("DE", "276", "Europe", "High income")
    world = client.GetArea(pb.GetAreaRequest(code="001"), timeout=TIMEOUT)
    assert world.kind == types_pb.AREA_KIND_AGGREGATE and "DEU" in world.member_codes
    ldc_group = client.GetArea(pb.GetAreaRequest(code="199"), timeout=TIMEOUT)
    assert sorted(ldc_group.member_codes) == sorted(a.code for a in ldcs)


@pytest.mark.parametrize("call,request_", [
    ("GetSeries", pb.GetSeriesRequest(code="NO_SUCH_SERIES")),
    ("GetArea", pb.GetAreaRequest(code="XYZ")),
    ("GetLatestValues", pb.GetLatestValuesRequest(series_code="NO_SUCH_SERIES")),
    ("QueryObservations", pb.QueryObservationsRequest(area_codes=["XYZ"])),
    ("GetProgress", pb.GetProgressRequest(area_code="DEU", series_code="NOPE")),
])
def test_unknown_series_or_area_is_not_found(client, call, request_):
    with pytest.raises(grpc.RpcError) as caught:
        getattr(client, call)(request_, timeout=TIMEOUT)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


# -- observations ----------------------------------------------------------------------------------------

def test_query_filters_orders_and_pages_without_overlap(client):
    request = pb.QueryObservationsRequest(series_codes=["NV_IND_MANF"], group_code="150", from_year=2010,
                                          to_year=2015, page_size=50)
    rows = all_pages(client, request)
    keys = [(r.series_code, r.area_code, r.year) for r in rows]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    assert all(2010 <= r.year <= 2015 and r.unit == "PERCENT" for r in rows)
    deu_2015 = [r for r in rows if r.area_code == "DEU" and r.year == 2015]
    assert len(deu_2015) == 1 and deu_2015[0].value == pytest.approx(20.35)
    assert deu_2015[0].nature == "CA" and deu_2015[0].source.startswith("UN SDG Global Database")
    by_year = all_pages(client, pb.QueryObservationsRequest(
        series_codes=["NV_IND_MANF"], group_code="150", from_year=2010, to_year=2015, page_size=7,
        order=pb.OBSERVATION_ORDER_SERIES_YEAR_AREA))
    assert sorted((r.series_code, r.area_code, r.year) for r in by_year) == keys
    assert [(r.year, r.area_code) for r in by_year] == sorted((r.year, r.area_code) for r in by_year)


def test_query_rejects_bad_paging_with_field_violations(client):
    with pytest.raises(grpc.RpcError) as caught:
        client.QueryObservations(pb.QueryObservationsRequest(page_size=5000), timeout=TIMEOUT)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_size" in bad_request_fields(caught.value)
    with pytest.raises(grpc.RpcError) as caught:
        client.QueryObservations(pb.QueryObservationsRequest(page_token="not-a-token!"), timeout=TIMEOUT)
    assert "page_token" in bad_request_fields(caught.value)
    # A token is bound to its query: reusing it with other filters is rejected.
    first = client.QueryObservations(pb.QueryObservationsRequest(series_codes=["NV_IND_TECH"], page_size=2),
                                     timeout=TIMEOUT)
    with pytest.raises(grpc.RpcError) as caught:
        client.QueryObservations(pb.QueryObservationsRequest(series_codes=["NV_IND_MANF"], page_size=2,
                                                             page_token=first.next_page_token), timeout=TIMEOUT)
    assert "page_token" in bad_request_fields(caught.value)


def test_latest_values_and_unchanged_since(client):
    latest = client.GetLatestValues(pb.GetLatestValuesRequest(series_code="NV_IND_TECH"), timeout=TIMEOUT)
    by_area = {v.area_code: v for v in latest.values}
    assert not latest.unchanged and latest.revision_token.startswith("r")
    assert by_area["DEU"].year == 2020 and latest.attribution
    again = client.GetLatestValues(pb.GetLatestValuesRequest(series_code="NV_IND_TECH",
                                                             if_changed_since=latest.revision_token), timeout=TIMEOUT)
    assert again.unchanged and len(again.values) == 0 and again.ByteSize() < 40
    some = client.GetLatestValues(pb.GetLatestValuesRequest(series_code="NV_IND_TECH", area_codes=["DEU", "KOR"]),
                                  timeout=TIMEOUT)
    assert [v.area_code for v in some.values] == ["DEU", "KOR"]
    for token in ["garbage", "r-5", "r999999999"]:
        with pytest.raises(grpc.RpcError) as caught:
            client.GetLatestValues(pb.GetLatestValuesRequest(series_code="NV_IND_TECH", if_changed_since=token),
                                   timeout=TIMEOUT)
        assert "if_changed_since" in bad_request_fields(caught.value)


def test_upsert_needs_the_write_scope(client):
    row = observation_input("NV_IND_SSIS", "DEU", 1990, 1.0)
    request = pb.UpsertObservationsRequest(observations=[row])
    for metadata, code in [
        ((), grpc.StatusCode.UNAUTHENTICATED),
        ((("authorization", "Bearer wrong"),), grpc.StatusCode.UNAUTHENTICATED),
        ((("authorization", f"Bearer {READER_TOKEN}"),), grpc.StatusCode.PERMISSION_DENIED),
    ]:
        with pytest.raises(grpc.RpcError) as caught:
            client.UpsertObservations(request, metadata=metadata, timeout=TIMEOUT)
        assert caught.value.code() == code


def test_upsert_is_idempotent_and_invalidates_unchanged(client):
    before = client.GetLatestValues(pb.GetLatestValuesRequest(series_code="NV_IND_SSIS"), timeout=TIMEOUT)
    rows = [observation_input("NV_IND_SSIS", "DEU", 1991, 2.5), observation_input("NV_IND_SSIS", "FRA", 1991, 3.5)]
    first = client.UpsertObservations(pb.UpsertObservationsRequest(observations=rows), metadata=WRITE_METADATA,
                                      timeout=TIMEOUT)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    second = client.UpsertObservations(pb.UpsertObservationsRequest(observations=rows), metadata=WRITE_METADATA,
                                       timeout=TIMEOUT)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    assert second.revision_token == first.revision_token
    rows[0].value = 2.75
    third = client.UpsertObservations(pb.UpsertObservationsRequest(observations=rows), metadata=WRITE_METADATA,
                                      timeout=TIMEOUT)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 1)
    after = client.GetLatestValues(pb.GetLatestValuesRequest(series_code="NV_IND_SSIS",
                                                             if_changed_since=before.revision_token), timeout=TIMEOUT)
    assert not after.unchanged
    stored = client.QueryObservations(pb.QueryObservationsRequest(series_codes=["NV_IND_SSIS"], area_codes=["DEU"],
                                                                  from_year=1991, to_year=1991), timeout=TIMEOUT)
    assert [(o.value, o.revision) for o in stored.observations] == [(2.75, int(third.revision_token[1:]))]


def test_one_bad_row_stores_nothing_and_every_violation_is_named(client):
    good = observation_input("NV_IND_SSIS", "ITA", 1992, 4.0)
    bad = [
        observation_input("NV_IND_SSIS", "ESP", 1992, math.nan),
        observation_input("NV_IND_SSIS", "ESP", 1800, 1.0),
        observation_input("NV_IND_SSIS", "ESP", 1993, 1.0, unit="CON_USD"),
        observation_input("NV_IND_SSIS", "ESP", 1994, math.inf, nature="X"),
    ]
    with pytest.raises(grpc.RpcError) as caught:
        client.UpsertObservations(pb.UpsertObservationsRequest(observations=[good, *bad]), metadata=WRITE_METADATA,
                                  timeout=TIMEOUT)
    fields = bad_request_fields(caught.value)
    assert {"observations[1].value", "observations[2].year", "observations[3].unit", "observations[4].value",
            "observations[4].nature"} <= set(fields)
    with pytest.raises(grpc.RpcError) as caught:
        client.UpsertObservations(pb.UpsertObservationsRequest(
            observations=[good, observation_input("NV_IND_SSIS", "XYZ", 1992, 1.0)]), metadata=WRITE_METADATA,
            timeout=TIMEOUT)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    stored = client.QueryObservations(pb.QueryObservationsRequest(series_codes=["NV_IND_SSIS"], area_codes=["ITA"],
                                                                  from_year=1992, to_year=1992), timeout=TIMEOUT)
    assert len(stored.observations) == 0


# -- watch -----------------------------------------------------------------------------------------------

def upsert(client, rows):
    return client.UpsertObservations(pb.UpsertObservationsRequest(observations=rows), metadata=WRITE_METADATA,
                                     timeout=TIMEOUT)


def collect(call, count: int) -> tuple[list, str]:
    """Reads messages until `count` changes arrived; returns them and the last revision token."""
    changes, token = [], ""
    while len(changes) < count:
        message = next(call)
        changes.extend(message.changes)
        token = message.revision_token
    return changes, token


def test_watch_resumes_after_a_disconnect_missing_nothing_repeating_nothing(service):
    series = "FC_ACC_SSID"
    rows = lambda year, value: [observation_input(series, area, year, value) for area in ("DEU", "FRA", "ITA")]
    with helpers.connected_channel(service.address) as channel:
        client = stub(channel)
        call = client.WatchChanges(pb.WatchChangesRequest(series_codes=[series]), timeout=30)
        start = next(call)
        assert len(start.changes) == 0 and start.revision_token.startswith("r")
        upsert(client, rows(1980, 1.0))
        seen_a, token_a = collect(call, 3)
        call.cancel()  # the poller goes away ...
        upsert(client, rows(1981, 2.0))  # ... and misses these while disconnected
        upsert(client, rows(1980, 1.5))
        upsert(client, [observation_input("NV_IND_TECH", "DEU", 1981, 9.0)])  # another series: filtered out
    with helpers.connected_channel(service.address) as channel:
        client = stub(channel)
        call = client.WatchChanges(pb.WatchChangesRequest(after_revision_token=token_a, series_codes=[series]),
                                   timeout=30)
        assert next(call).revision_token == token_a
        seen_b, _ = collect(call, 6)
        call.cancel()
        replay = client.WatchChanges(pb.WatchChangesRequest(after_revision_token=start.revision_token,
                                                            series_codes=[series]), timeout=30)
        next(replay)
        everything, _ = collect(replay, 9)
        replay.cancel()
    assert [(c.observation.year, c.kind) for c in seen_a] == [(1980, pb.CHANGE_KIND_INSERTED)] * 3
    assert [(c.observation.year, c.observation.value, c.kind) for c in seen_b] == (
        [(1981, 2.0, pb.CHANGE_KIND_INSERTED)] * 3 + [(1980, 1.5, pb.CHANGE_KIND_UPDATED)] * 3)
    assert all(c.previous_value == 1.0 for c in seen_b[3:])
    revisions = [c.revision for c in seen_a + seen_b]
    assert revisions == sorted(set(revisions))
    assert [c.revision for c in everything] == revisions
    assert all(c.observation.series_code == series for c in everything)


def test_open_watch_ends_cleanly_on_sigterm(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with running_service(executable) as process:
        with helpers.connected_channel(process.address) as channel:
            call = stub(channel).WatchChanges(pb.WatchChangesRequest(), timeout=30)
            next(call)
            started = time.monotonic()
            process.terminate()
            assert list(call) == []  # the stream ends with OK, well before the grace period
            assert call.code() == grpc.StatusCode.OK
            assert time.monotonic() - started < 5
    # running_service asserted exit status 0 on the way out.


# -- SDG-9 composite and progress ----------------------------------------------------------------------------

COMPONENTS = {"NV_IND_MANF": 1, "NV_IND_MANFPC": 1, "SL_TLF_MANF": 1, "EN_ATM_CO2MVA": -1, "NV_IND_TECH": 1}


def test_index_matches_an_independent_recomputation_from_served_rows(client):
    year = 2015
    economies = {a.code for a in client.ListAreas(pb.ListAreasRequest(kind=types_pb.AREA_KIND_ECONOMY),
                                                  timeout=TIMEOUT).areas}
    values: dict[str, dict[str, float]] = {}
    for row in all_pages(client, pb.QueryObservationsRequest(series_codes=list(COMPONENTS), from_year=year,
                                                             to_year=year, page_size=1000)):
        if row.area_code in economies:
            values.setdefault(row.area_code, {})[row.series_code] = row.value
    complete = {a: v for a, v in values.items() if len(v) == len(COMPONENTS)}
    bounds = {s: (min(v[s] for v in complete.values()), max(v[s] for v in complete.values())) for s in COMPONENTS}

    def normalised(series, value):
        low, high = bounds[series]
        return (value - low) / (high - low) if COMPONENTS[series] > 0 else (high - value) / (high - low)

    expected = {a: sum(normalised(s, v[s]) for s in COMPONENTS) / 5 for a, v in complete.items()}
    answer = client.GetSdg9Index(pb.GetSdg9IndexRequest(year=year), timeout=TIMEOUT)
    assert "not UNIDO's SDG-9 Industry Index" in answer.index_name and answer.attribution
    assert answer.aggregation == pb.AGGREGATION_ARITHMETIC
    assert {s.area_code: s.score for s in answer.scores} == pytest.approx(expected, abs=1e-12)
    assert {u.area_code for u in answer.unscored} == set(values) - set(complete)
    assert [s.rank for s in answer.scores][:1] == [1] and all(
        a.score >= b.score for a, b in zip(answer.scores, answer.scores[1:]))
    assert all(len(s.components) == 5 and all(c.year == year for c in s.components) for s in answer.scores)
    geometric = client.GetSdg9Index(pb.GetSdg9IndexRequest(year=year, aggregation=pb.AGGREGATION_GEOMETRIC),
                                    timeout=TIMEOUT)
    expected_geometric = {a: math.prod((0.01 + 0.99 * normalised(s, v[s])) ** 0.2 for s in COMPONENTS)
                          for a, v in complete.items()}
    assert {s.area_code: s.score for s in geometric.scores} == pytest.approx(expected_geometric, abs=1e-12)


def test_index_rejects_bad_configuration(client):
    with pytest.raises(grpc.RpcError) as caught:
        client.GetSdg9Index(pb.GetSdg9IndexRequest(year=1990, weights={"NV_IND_MANF": -1.0},
                                                   max_component_lag_years=9), timeout=TIMEOUT)
    fields = bad_request_fields(caught.value)
    assert {"year", "max_component_lag_years", "weights[NV_IND_MANF]", "weights[NV_IND_TECH]"} <= set(fields)


def test_progress_echoes_inputs_for_recomputation(client):
    # Bangladesh (an LDC), 9.2.1 share: numeric target 2 x 19.71; actual (23.9/19.71)^(1/7) - 1.
    bgd = client.GetProgress(pb.GetProgressRequest(area_code="BGD", series_code="NV_IND_MANF"), timeout=TIMEOUT)
    assert bgd.method == pb.PROGRESS_METHOD_NUMERIC_TARGET and bgd.category == pb.PROGRESS_CATEGORY_FAIR_PROGRESS
    assert (bgd.baseline_year, bgd.baseline_value, bgd.latest_year, bgd.latest_value) == (2015, 19.71, 2022, 23.9)
    assert bgd.target_value == pytest.approx(39.42)
    assert bgd.actual_cagr == pytest.approx((23.9 / 19.71) ** (1 / 7) - 1)
    assert bgd.required_cagr == pytest.approx(2 ** (1 / 15) - 1)
    assert bgd.growth_ratio == pytest.approx(bgd.actual_cagr / bgd.required_cagr)
    # Germany, CO2 per MVA (lower is better): (0.126/0.137)^(1/5) - 1 = -1.66% -> +1.66% -> substantial.
    deu = client.GetProgress(pb.GetProgressRequest(area_code="DEU", series_code="EN_ATM_CO2MVA"), timeout=TIMEOUT)
    assert deu.method == pb.PROGRESS_METHOD_NO_NUMERIC_TARGET
    assert deu.category == pb.PROGRESS_CATEGORY_SUBSTANTIAL_PROGRESS
    assert deu.direction_adjusted_cagr == pytest.approx(-((0.126 / 0.137) ** (1 / 5) - 1))
    assert not deu.HasField("target_value")
    # An area without a 2015 value: insufficient data, with nothing made up.
    none = client.GetProgress(pb.GetProgressRequest(area_code="ATA", series_code="NV_IND_MANF"), timeout=TIMEOUT)
    assert none.category == pb.PROGRESS_CATEGORY_INSUFFICIENT_DATA and not none.HasField("baseline_value")


# -- durability ------------------------------------------------------------------------------------------

def test_sigkill_mid_write_load_loses_no_acknowledged_batch(executable, python_peer_mode):
    """Two writers upsert 10-row batches with distinct keys until the server is SIGKILLed; after a restart on
    the same database, every batch the server acknowledged is there, with its values."""
    skip_in_python_peer_mode(python_peer_mode)
    with tempfile.TemporaryDirectory(prefix="isid-indicators-") as directory:
        database = Path(directory) / "indicators.sqlite"
        with running_service(executable, database):
            pass  # seed once, before the load
        acknowledged: dict[int, list[tuple[str, int, float]]] = {}
        lock = threading.Lock()
        stop = threading.Event()
        process = helpers.ServerProcess(service_argv(executable, database), name="indicator-service",
                                        env={"ISID_API_TOKENS": API_TOKENS})
        try:
            process.start()
            with helpers.connected_channel(process.address) as channel:
                areas = sorted(a.code for a in stub(channel).ListAreas(
                    pb.ListAreasRequest(kind=types_pb.AREA_KIND_ECONOMY), timeout=TIMEOUT).areas)
            counter = iter(range(10**6))

            def writer():
                with grpc.insecure_channel(process.address) as channel:
                    client = stub(channel)
                    while not stop.is_set():
                        with lock:
                            batch = next(counter)
                        area = areas[batch % len(areas)]
                        first_year = 1946 + 10 * (batch // len(areas))
                        keys = [(area, first_year + k, float(batch) + k / 100) for k in range(10)]
                        request = pb.UpsertObservationsRequest(observations=[
                            observation_input("NV_IND_MANF", a, y, v) for a, y, v in keys])
                        try:
                            client.UpsertObservations(request, metadata=WRITE_METADATA, timeout=5)
                        except grpc.RpcError:
                            return  # the server died: this batch was not acknowledged
                        with lock:
                            acknowledged[batch] = keys

            threads = [threading.Thread(target=writer) for _ in range(2)]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 20
            while len(acknowledged) < 150 and time.monotonic() < deadline:
                time.sleep(0.05)
            os.killpg(process.proc.pid, signal.SIGKILL)  # mid-load: no drain, no checkpoint
            process.proc.wait(timeout=10)
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
        finally:
            stop.set()
            process.ensure_dead()
        with lock:
            expected = dict(acknowledged)
        print(f"{len(expected)} batches acknowledged before SIGKILL")
        assert len(expected) >= 20, "too few batches were acknowledged before the kill to prove anything"
        with running_service(executable, database) as process:
            with helpers.connected_channel(process.address) as channel:
                stored = {(o.area_code, o.year): o.value for o in all_pages(stub(channel), pb.QueryObservationsRequest(
                    series_codes=["NV_IND_MANF"], from_year=1946, to_year=1999, page_size=1000))}
        missing = [(batch, key) for batch, keys in expected.items() for key in keys
                   if stored.get((key[0], key[1])) != key[2]]
        assert not missing, f"{len(missing)} acknowledged rows lost, e.g. {missing[:3]}"


# -- subcommands -----------------------------------------------------------------------------------------

def test_health_check_subcommand(executable, service):
    result = subprocess.run([*executable("indicator-service"), "health-check", "--host", service.host, "--port",
                             str(service.port)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and "serving" in result.stdout


def test_import_is_idempotent_and_names_the_bad_line(executable, python_peer_mode, tmp_path):
    skip_in_python_peer_mode(python_peer_mode)
    binary = executable("indicator-service")
    database = tmp_path / "indicators.sqlite"
    first = subprocess.run([*binary, "import", "--database", str(database), "--data-dir", str(DATA_DIR)],
                           capture_output=True, text=True, timeout=120)
    assert first.returncode == 0 and "42270 inserted" in first.stdout, first.stderr
    second = subprocess.run([*binary, "import", "--database", str(database), "--data-dir", str(DATA_DIR)],
                            capture_output=True, text=True, timeout=120)
    assert second.returncode == 0 and "0 inserted, 0 updated, 42270 unchanged" in second.stdout, second.stderr
    bad = tmp_path / "bad"
    shutil.copytree(DATA_DIR, bad)
    lines = (bad / "sdg9_other_areas.csv").read_text().split("\n")
    lines[6] = lines[6].replace(",N,", ",Q,")
    (bad / "sdg9_other_areas.csv").write_text("\n".join(lines))
    failed = subprocess.run([*binary, "import", "--database", str(tmp_path / "other.sqlite"), "--data-dir", str(bad)],
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode != 0
    assert f"{bad / 'sdg9_other_areas.csv'}:7: nature \"Q\"" in failed.stderr


def test_import_withdraw_missing_withdraws_what_a_newer_extract_dropped(executable, python_peer_mode, tmp_path):
    """A newer extract without one row: a plain import keeps the row; `--withdraw-missing` removes it, counts it,
    and a watch resumed before it replays the withdrawal with the value the row had."""
    skip_in_python_peer_mode(python_peer_mode)
    binary = executable("indicator-service")
    database = tmp_path / "indicators.sqlite"

    def run_import(data_dir: Path, *flags: str) -> str:
        result = subprocess.run([*binary, "import", "--database", str(database), "--data-dir", str(data_dir), *flags],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert "42270 inserted, 0 updated, 0 unchanged, 0 withdrawn (revision 42270)" in run_import(DATA_DIR)
    newer = tmp_path / "newer"
    shutil.copytree(DATA_DIR, newer)
    lines = (newer / "sdg9_observations.csv").read_text().split("\n")
    dropped = lines.pop(2)
    assert dropped.startswith("EN_ATM_CO2,9.4.1,AGO,2001,5.03,")
    (newer / "sdg9_observations.csv").write_text("\n".join(lines))

    assert "42269 unchanged, 0 withdrawn (revision 42270)" in run_import(newer)
    assert "42269 unchanged, 1 withdrawn (revision 42271)" in run_import(newer, "--withdraw-missing")

    with running_service(executable, database) as process:
        with helpers.connected_channel(process.address) as channel:
            client = stub(channel)
            years = {r.year for r in all_pages(client, pb.QueryObservationsRequest(
                series_codes=["EN_ATM_CO2"], area_codes=["AGO"], page_size=1000))}
            assert 2000 in years and 2001 not in years
            call = client.WatchChanges(pb.WatchChangesRequest(after_revision_token="r42270",
                                                              series_codes=["EN_ATM_CO2"]), timeout=30)
            start, replay = next(call), next(call)
            call.cancel()
    assert (start.revision_token, replay.revision_token) == ("r42270", "r42271")
    [change] = replay.changes
    assert change.kind == pb.CHANGE_KIND_WITHDRAWN and change.revision == 42271
    observation = change.observation
    assert (observation.series_code, observation.area_code, observation.year) == ("EN_ATM_CO2", "AGO", 2001)
    assert observation.value == pytest.approx(5.03) and change.previous_value == pytest.approx(5.03)
