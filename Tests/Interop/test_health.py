"""Isid's interop-server implements grpc.health.v1.Health.

Checked with grpcio-health-checking's own stubs.
"""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import helpers

SERVING = health_pb2.HealthCheckResponse.SERVING
SERVICE_UNKNOWN = health_pb2.HealthCheckResponse.SERVICE_UNKNOWN


@pytest.fixture
def health(interop_channel):
    return health_pb2_grpc.HealthStub(interop_channel)


def check(health, service: str):
    return health.Check(health_pb2.HealthCheckRequest(service=service), timeout=helpers.RPC_TIMEOUT)


def first_watch_message(health, service: str):
    call = health.Watch(health_pb2.HealthCheckRequest(service=service), timeout=helpers.RPC_TIMEOUT)
    try:
        return next(call)
    finally:
        call.cancel()


def test_overall_server_health_is_serving(health):
    assert check(health, "").status == SERVING


def test_test_service_health_is_serving(health):
    assert check(health, "grpc.testing.TestService").status == SERVING


def test_check_of_unknown_service_fails_with_not_found(health):
    with pytest.raises(grpc.RpcError) as error:
        check(health, "no.such.Service")
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_watch_sends_serving_as_first_message(health):
    assert first_watch_message(health, "grpc.testing.TestService").status == SERVING


def test_watch_of_overall_server_sends_serving_as_first_message(health):
    assert first_watch_message(health, "").status == SERVING


def test_watch_of_unknown_service_sends_service_unknown_and_stays_open(health):
    # health.proto: "the server will send a message setting the serving
    # status to SERVICE_UNKNOWN but will *not* terminate the call".
    call = health.Watch(health_pb2.HealthCheckRequest(service="no.such.Service"), timeout=helpers.RPC_TIMEOUT)
    try:
        assert next(call).status == SERVICE_UNKNOWN
        assert call.is_active(), "Watch ended after SERVICE_UNKNOWN; it must stay open"
    finally:
        call.cancel()
