"""The gateway's own work beyond forwarding, against the real services through stock grpcio and HTTP: the
country profile (every part from its service, each part's scope, a stalled service costing only its part),
conditional GETs answered 304 from the services' followed revisions without a call (and no longer once a
change is committed), and settings from a configuration file with errors that name the setting."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request

import grpc
import pytest

import helpers
from gateway_fixtures import IDENTITY_SECRET, bearer, running_stack
from programme_fixtures import skip_in_python_peer_mode
from test_gateway import http_request

P = helpers.load_protos()
indicators_pb = P.indicator_service_pb2
profile_pb = P.country_profile_pb2
OK, PERMISSION_DENIED, UNAUTHENTICATED = 0, 7, 16
SERIES_LIMIT = "isid.indicators.v1.IndicatorService/GetSeries=2/min"


@pytest.fixture(autouse=True)
def only_against_isid(python_peer_mode):
    """Every test here runs Isid's gateway: none has a Python stand-in."""
    skip_in_python_peer_mode(python_peer_mode)


@pytest.fixture(scope="module")
def stack(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with running_stack(executable, "--profile-part-timeout-ms", "1500", "--rate-limit", SERIES_LIMIT) as running:
        yield running


@pytest.fixture
def channel(stack):
    with helpers.connected_channel(stack["gateway"].address) as channel:
        yield channel


def profile_of(channel, area: str, key: str | None = "reader-key", **fields):
    stub = P.country_profile_pb2_grpc.CountryProfileServiceStub(channel)
    metadata = bearer(key) if key else ()
    return stub.GetCountryProfile(profile_pb.GetCountryProfileRequest(area_code=area, **fields), metadata=metadata,
                                  timeout=10)


def metric(stack, name: str, *parts: str) -> float:
    argv = stack["gateway"].argv
    port = argv[argv.index("--metrics-port") + 1]
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name + "{") and all(p in line for p in parts))


# -- Country profile ----------------------------------------------------------------------------------------------

def test_profile_brings_every_part_from_its_service(channel):
    profile = profile_of(channel, "DEU")
    assert profile.complete and profile.area_code == "DEU"
    assert profile.indicators.area.name == "Germany"
    indicators = P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
    direct = indicators.GetLatestValues(indicators_pb.GetLatestValuesRequest(series_code="NV_IND_MANF",
                                                                            area_codes=["DEU"]), timeout=5)
    assert [v for v in profile.indicators.latest_values if v.series_code == "NV_IND_MANF"] == list(direct.values)
    assert {p.series_code for p in profile.indicators.progress} == {v.series_code for v in profile.indicators.latest_values}
    assert profile.index.year > 0 and profile.index.index_name
    assert profile.index.score.area_code == "DEU" or profile.index.missing_series_codes
    assert profile.programmes.status.code == OK and profile.parity.status.code == OK


def test_profile_programmes_are_those_working_in_the_country(channel):
    profile = profile_of(channel, "KHM")  # Cambodia: a Programme for Country Partnership among UNIDO's activities
    assert profile.programmes.status.code == OK and profile.programmes.programmes
    for programme in profile.programmes.programmes:
        assert "KHM" in {country.iso_alpha3 for country in programme.countries}
    assert profile.programmes.portfolio.programme_count == len(profile.programmes.programmes)


def test_profile_parity_is_the_record_of_events_held_in_the_country(channel):
    report = P.parity_service_pb2_grpc.ParityServiceStub(channel).GetComplianceReport(
        P.parity_service_pb2.GetComplianceReportRequest(), metadata=bearer("reader-key"), timeout=5)
    held = {group.key: group.figures for group in report.by_country if group.key}
    assert held, "the seeded parity events name no country"
    country, figures = sorted(held.items())[0]
    assert profile_of(channel, country).parity.figures == figures


def test_profile_as_json_equals_json_format_of_the_grpc_answer(stack, channel):
    from google.protobuf import json_format

    expected = profile_of(channel, "DEU")
    status, headers, body = http_request(stack["gateway"].address, "GET", "/v1/countries/DEU/profile",
                                         headers={"authorization": "Bearer reader-key"})
    assert status == 200, body
    assert json.loads(body) == json_format.MessageToDict(expected)


def test_profile_parts_the_key_may_not_read_are_refused_and_not_asked(channel):
    limited = profile_of(channel, "DEU", key="limited-key")  # indicators:read only
    assert limited.indicators.status.code == OK and limited.index.status.code == OK
    assert limited.programmes.status.code == PERMISSION_DENIED and not limited.programmes.programmes
    assert limited.parity.status.code == PERMISSION_DENIED
    assert not limited.complete
    anonymous = profile_of(channel, "DEU", key=None)  # anonymous reads of indicators are on
    assert anonymous.indicators.status.code == OK
    assert anonymous.programmes.status.code == UNAUTHENTICATED and anonymous.parity.status.code == UNAUTHENTICATED


def test_profile_of_an_unknown_economy_is_not_found_and_a_malformed_code_invalid(channel):
    with pytest.raises(grpc.RpcError) as unknown:
        profile_of(channel, "XXX")
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.RpcError) as malformed:
        profile_of(channel, "de")
    assert malformed.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_profile_with_an_unknown_key_is_unauthenticated(channel):
    with pytest.raises(grpc.RpcError) as refused:
        profile_of(channel, "DEU", key="no-such-key")
    assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED


# -- Conditional GETs answered from the followed revisions --------------------------------------------------------

LATEST_PATH = "/v1/indicators/NV_IND_MANF/latest?area_codes=DEU"


def test_an_unchanged_poll_is_answered_304_without_calling_the_service(stack):
    address = stack["gateway"].address
    status, headers, _ = http_request(address, "GET", LATEST_PATH)
    assert status == 200
    etag = headers["etag"]
    # The gateway answers by itself once it follows every service's change stream (at start, within seconds).
    deadline = time.monotonic() + 10
    while metric(stack, "isid_gateway_not_modified_total", 'answered_by="gateway"') == 0:
        assert time.monotonic() < deadline, "no 304 answered by the gateway"
        http_request(address, "GET", LATEST_PATH)  # remembers the ETag once the streams are followed
        http_request(address, "GET", LATEST_PATH, headers={"if-none-match": etag})
        time.sleep(0.2)
    calls = metric(stack, "grpc_client_handled_total", 'grpc_method="GetLatestValues"')
    answered = metric(stack, "isid_gateway_not_modified_total", 'answered_by="gateway"')
    for _ in range(5):
        status, headers, body = http_request(address, "GET", LATEST_PATH, headers={"if-none-match": f"W/{etag}"})
        assert status == 304 and body == b"" and headers["etag"] == etag
    assert metric(stack, "grpc_client_handled_total", 'grpc_method="GetLatestValues"') == calls
    assert metric(stack, "isid_gateway_not_modified_total", 'answered_by="gateway"') == answered + 5


def test_a_committed_change_ends_the_304s_at_once(stack, channel):
    address = stack["gateway"].address
    status, headers, _ = http_request(address, "GET", LATEST_PATH)
    etag = headers["etag"]
    indicators = P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
    year = time.gmtime().tm_year
    indicators.UpsertObservations(indicators_pb.UpsertObservationsRequest(observations=[
        indicators_pb.ObservationInput(series_code="NV_IND_MANF", area_code="DEU", year=year, value=20.5,
                                       unit="PERCENT", nature="E", source="gateway revalidation test")]),
        metadata=bearer("writer-key"), timeout=5)
    # The change stream brings the new revision within milliseconds; the poll must see the new value.
    deadline = time.monotonic() + 5
    while True:
        status, headers, body = http_request(address, "GET", LATEST_PATH, headers={"if-none-match": etag})
        if status == 200:
            break
        assert status == 304 and time.monotonic() < deadline, "the change never ended the 304s"
        time.sleep(0.05)
    assert headers["etag"] != etag
    assert json.loads(body)["values"][0]["year"] == year


def test_a_304_counts_against_the_rate_limit_like_any_answer(stack):
    address, key = stack["gateway"].address, {"authorization": "Bearer limit-key"}
    status, headers, _ = http_request(address, "GET", "/v1/series/NV_IND_MANF", headers=key)
    assert status == 200 and headers["ratelimit-remaining"] == "1"
    status, headers, _ = http_request(address, "GET", "/v1/series/NV_IND_MANF",
                                      headers={**key, "if-none-match": headers["etag"]})
    assert status == 304 and headers["ratelimit-remaining"] == "0"
    status, headers, body = http_request(address, "GET", "/v1/series/NV_IND_MANF",
                                         headers={**key, "if-none-match": headers["etag"]})
    assert status == 429 and int(headers["retry-after"]) > 0, body


def test_a_stalled_service_costs_only_its_part_of_the_profile(stack, channel):
    """Runs last among the profile tests: it stops parity-service for a moment."""
    parity = stack["parity"]
    os.kill(parity.proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        profile = profile_of(channel, "DEU")
        elapsed = time.monotonic() - started
    finally:
        os.kill(parity.proc.pid, signal.SIGCONT)
    assert elapsed < 5.0
    assert profile.parity.status.code in {grpc.StatusCode.DEADLINE_EXCEEDED.value[0],
                                          grpc.StatusCode.UNAVAILABLE.value[0]}
    assert profile.indicators.status.code == OK and profile.programmes.status.code == OK
    assert not profile.complete


# -- Access logs --------------------------------------------------------------------------------------------------

def test_every_call_and_request_leaves_one_json_access_line(stack, channel):
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    P.indicator_service_pb2_grpc.IndicatorServiceStub(channel).GetArea(
        indicators_pb.GetAreaRequest(code="BGD"), metadata=(("traceparent", traceparent),), timeout=5)
    http_request(stack["gateway"].address, "GET", "/v1/areas/NO_SUCH_AREA", headers={"user-agent": "access-log-test"})
    deadline = time.monotonic() + 5
    while True:
        lines = [json.loads(line) for line in stack["gateway"].stderr_text().splitlines() if line.startswith("{")]
        rpc = [line for line in lines if line["message"] == "rpc" and line.get("grpc_method") == "GetArea"]
        http = [line for line in lines if line["message"] == "http" and line.get("user_agent") == "access-log-test"]
        if rpc and http or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    traced = [line for line in rpc if line.get("trace_id") == "4bf92f3577b34da6a3ce929d0e0e4736"]
    assert traced and traced[0]["grpc_code"] == "OK" and float(traced[0]["duration_ms"]) >= 0
    assert traced[0]["peer"].startswith("ipv4:127.0.0.1:")
    assert http and http[0]["status"] == "404" and http[0]["http_method"] == "GET"
    assert http[0]["path"] == "/v1/areas/NO_SUCH_AREA"


# -- Settings from a configuration file ---------------------------------------------------------------------------

def gateway_with_config(executable, config: dict, tmp_path, *extra: str) -> subprocess.CompletedProcess:
    path = tmp_path / "gateway.json"
    path.write_text(json.dumps(config))
    return subprocess.run([*executable("gateway"), "--port", "0", "--config", str(path), *extra],
                          env={**os.environ, "ISID_IDENTITY_SECRET": IDENTITY_SECRET}, capture_output=True,
                          text=True, timeout=20)


def test_a_configuration_file_gives_the_routes_and_limits(executable, stack, tmp_path):
    keys = tmp_path / "keys.json"
    keys.write_text(stack["keys_file"].read_text())
    config = {
        "routes": {"isid.indicators.v1.IndicatorService": stack["replicas"][1].address},
        "keys_file": "keys.json",  # relative to the configuration file
        "rate_limits": ["isid.indicators.v1.IndicatorService/ListSeries=2/min"],
        "default_deadline_seconds": 5,
    }
    path = tmp_path / "gateway.json"
    path.write_text(json.dumps(config))
    process = helpers.ServerProcess([*executable("gateway"), "--port", "0", "--config", str(path)], name="gateway",
                                    env={"ISID_IDENTITY_SECRET": IDENTITY_SECRET})
    try:
        process.start()
        with helpers.connected_channel(process.address) as channel:
            stub = P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
            _, call = stub.ListSeries.with_call(indicators_pb.ListSeriesRequest(), metadata=bearer("reader-key"),
                                                timeout=5)
            assert dict(call.initial_metadata())["ratelimit-policy"] == "2;w=60"
        process.stop()
    finally:
        process.ensure_dead()


@pytest.mark.parametrize("config,named", [
    ({"routes": ["isid.indicators.v1.IndicatorService=127.0.0.1:1"], "rate_limit": ["*=1/s"]}, '"rate_limit"'),
    ({"routes": ["isid.indicators.v1.IndicatorService=127.0.0.1:1"], "rate_limits": ["*=often"]}, '"rate_limits" in'),
    ({"routes": ["isid.nope.v1.Nope=127.0.0.1:1"]}, '"routes" in'),
    ({"routes": ["isid.indicators.v1.IndicatorService=127.0.0.1:1"], "default_deadline_seconds": "30"},
     '"default_deadline_seconds" in'),
], ids=["unknown-key", "bad-limit", "unknown-service", "wrong-type"])
def test_a_bad_configuration_file_stops_the_start_naming_the_setting(executable, tmp_path, config, named):
    result = gateway_with_config(executable, config, tmp_path)
    assert result.returncode != 0
    assert named in result.stderr, result.stderr


def test_a_flag_overrides_the_configuration_file(executable, tmp_path):
    result = gateway_with_config(executable, {"routes": ["isid.nope.v1.Nope=127.0.0.1:1"]}, tmp_path,
                                 "--route", "isid.nope.v1.Other=127.0.0.1:1")
    assert result.returncode != 0 and "--route" in result.stderr and "Other" in result.stderr, result.stderr
