"""The gateway in front of the real services (two indicator-service replicas, programme-service), through a
stock grpcio client: every RPC of every service under each kind of caller (no key, a key without the method's
scope, a key with it), the identity the services receive, forged identity metadata, rate limits with their
metadata and google.rpc.RetryInfo, unknown methods, reflection, a replica killed under load, and a stalled
upstream that holds up nothing else."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import threading
import time

import grpc
import pytest

import helpers
from gateway_fixtures import (
    RATE_LIMITED_METHOD,
    SERVICES,
    bearer,
    call_raw,
    domain,
    is_read,
    running_stack,
    status_of,
)
from programme_fixtures import date
from programme_fixtures import pb as programmes_pb
from programme_fixtures import skip_in_python_peer_mode
from programme_fixtures import types_pb as programme_types_pb

P = helpers.load_protos()
indicators_pb = P.indicator_service_pb2
AUTH_REFUSALS = {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED}


@pytest.fixture(scope="module")
def stack(executable, python_peer_mode):
    skip_in_python_peer_mode(python_peer_mode)
    with running_stack(executable) as running:
        yield running


@pytest.fixture
def channel(stack):
    with helpers.connected_channel(stack["gateway"].address) as channel:
        yield channel


def every_method():
    return [(service, method) for service, descriptor in SERVICES.items() for method in descriptor.methods]


@pytest.mark.parametrize("service,method", every_method(), ids=lambda v: getattr(v, "name", v))
def test_every_rpc_under_every_kind_of_caller(channel, service, method):
    timeout = 1.0 if method.server_streaming else 5.0
    read, public = is_read(method), is_read(method) and domain(service) == "indicators"
    anonymous = status_of(lambda: call_raw(channel, service, method, timeout=timeout))
    if public:
        assert anonymous not in AUTH_REFUSALS
    else:
        assert anonymous == grpc.StatusCode.UNAUTHENTICATED
    # "limited" holds indicators:read only.
    limited = status_of(lambda: call_raw(channel, service, method, metadata=bearer("limited-key"), timeout=timeout))
    if read and domain(service) == "indicators":
        assert limited not in AUTH_REFUSALS
    else:
        assert limited == grpc.StatusCode.PERMISSION_DENIED
    # "writer" holds every scope these services need.
    writer = status_of(lambda: call_raw(channel, service, method, metadata=bearer("writer-key"), timeout=timeout))
    assert writer not in AUTH_REFUSALS


def test_unknown_key_is_unauthenticated(channel):
    method = SERVICES["isid.programmes.v1.ProgrammeService"].methods_by_name["ListProgrammes"]
    assert status_of(lambda: call_raw(channel, "isid.programmes.v1.ProgrammeService", method,
                                      metadata=bearer("no-such-key"))) == grpc.StatusCode.UNAUTHENTICATED


def test_the_service_sees_the_gateways_signed_identity_of_the_key(channel):
    client = P.programme_service_pb2_grpc.ProgrammeServiceStub(channel)
    created = client.CreateProgramme(programmes_pb.CreateProgrammeRequest(programme=programme_types_pb.Programme(
        title="Through the gateway", kind=programme_types_pb.PROGRAMME_KIND_PROJECT,
        status=programme_types_pb.PROGRAMME_STATUS_PIPELINE,
        countries=[programme_types_pb.Country(iso_alpha3="SEN")],
        dates=programme_types_pb.ProgrammeDates(planned_start=date(2021, 1, 1)),
    )), metadata=bearer("writer-key"), timeout=5)
    history = client.ListProgrammeHistory(programmes_pb.ListProgrammeHistoryRequest(programme_id=created.id),
                                          metadata=bearer("reader-key"), timeout=5)
    assert [change.actor for change in history.changes] == ["key:writer"]


def test_identity_metadata_a_client_forges_is_never_trusted(channel):
    client = P.programme_service_pb2_grpc.ProgrammeServiceStub(channel)
    forged = (("isid-identity", "key:writer"), ("isid-identity-scopes", "admin programmes:write"),
              ("isid-identity-timestamp", str(int(time.time()))), ("isid-identity-signature", "00" * 32))
    request = programmes_pb.CreateProgrammeRequest(programme=programme_types_pb.Programme(title="forged"))
    with pytest.raises(grpc.RpcError) as anonymous:
        client.CreateProgramme(request, metadata=forged, timeout=5)
    assert anonymous.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as reader:
        client.CreateProgramme(request, metadata=forged + bearer("reader-key"), timeout=5)
    assert reader.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_rate_limit_refuses_with_retry_info_and_says_its_limits(channel):
    from google.rpc import error_details_pb2, status_pb2

    service, name = RATE_LIMITED_METHOD.split("/")
    method = SERVICES[service].methods_by_name[name]
    call = channel.unary_unary(f"/{service}/{name}", request_serializer=lambda b: b, response_deserializer=lambda b: b)
    for expected_remaining in ["2", "1", "0"]:
        _, info = call.with_call(b"", metadata=bearer("reader-key"), timeout=5)
        headers = dict(info.initial_metadata())
        assert headers["ratelimit-limit"] == "3" and headers["ratelimit-remaining"] == expected_remaining
        assert headers["ratelimit-policy"] == "3;w=60"
    with pytest.raises(grpc.RpcError) as refused:
        call_raw(channel, service, method, metadata=bearer("reader-key"))
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    trailers = dict(refused.value.trailing_metadata())
    assert int(trailers["retry-after"]) > 0
    status = status_pb2.Status.FromString(trailers["grpc-status-details-bin"])
    retry = error_details_pb2.RetryInfo()
    assert status.details[0].Unpack(retry) and retry.retry_delay.seconds == int(trailers["retry-after"])
    # Another caller has its own buckets.
    assert call_raw(channel, service, method, metadata=bearer("writer-key")) is not None


def test_an_unknown_method_is_unimplemented(channel):
    call = channel.unary_unary("/isid.indicators.v1.IndicatorService/NoSuchMethod",
                               request_serializer=lambda b: b, response_deserializer=lambda b: b)
    with pytest.raises(grpc.RpcError) as caught:
        call(b"", timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_reflection_through_the_gateway_lists_the_routed_services(channel):
    stub = P.reflection_v1_pb2_grpc.ServerReflectionStub(channel)
    request = P.reflection_v1_pb2.ServerReflectionRequest(list_services="")
    responses = stub.ServerReflectionInfo(iter([request]), timeout=5)
    names = {s.name for r in responses for s in r.list_services_response.service}
    assert set(SERVICES) <= names


def test_a_stalled_upstream_holds_up_only_its_own_calls(stack, channel):
    programmes = stack["programmes"]
    client = P.programme_service_pb2_grpc.ProgrammeServiceStub(channel)
    indicators = P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
    os.kill(programmes.proc.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as stalled:
            client.ListProgrammes(programmes_pb.ListProgrammesRequest(), metadata=bearer("reader-key"), timeout=1.0)
        assert stalled.value.code() in {grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNAVAILABLE}
        assert time.monotonic() - started < 3.0
        started = time.monotonic()
        indicators.ListSeries(indicators_pb.ListSeriesRequest(), timeout=5)
        assert time.monotonic() - started < 1.0
    finally:
        os.kill(programmes.proc.pid, signal.SIGCONT)
    client.ListProgrammes(programmes_pb.ListProgrammesRequest(page_size=1), metadata=bearer("reader-key"), timeout=5)


def test_a_replica_killed_under_load_loses_at_most_its_in_flight_calls(stack, channel):
    """Runs last in this module: it kills one indicator-service replica."""
    stub = P.indicator_service_pb2_grpc.IndicatorServiceStub(channel)
    request = indicators_pb.ListSeriesRequest()
    outcomes: list[tuple[float, grpc.StatusCode]] = []
    lock = threading.Lock()
    stop = time.monotonic() + 4.0

    def worker():
        while time.monotonic() < stop:
            code = status_of(lambda: stub.ListSeries(request, timeout=5))
            with lock:
                outcomes.append((time.monotonic(), code))

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(worker) for _ in range(8)]
        time.sleep(1.5)
        killed_at = time.monotonic()
        stack["replicas"][0].proc.kill()
        for future in futures:
            future.result()
    failures = [code for _, code in outcomes if code != grpc.StatusCode.OK]
    # Reads are retried on the survivor, so even the calls in flight on the killed replica should succeed;
    # at most the 8 in flight may fail.
    assert len(failures) <= 8, failures
    after = [code for at, code in outcomes if at > killed_at + 0.5]
    assert after and all(code == grpc.StatusCode.OK for code in after)
    assert len(outcomes) > 100
