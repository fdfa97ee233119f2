"""Isid's interop-server implements server reflection, v1alpha and v1.

v1alpha is driven through grpcio-reflection's client helper
(ProtoReflectionDescriptorDatabase), v1 through raw stubs generated from
Protos/grpc/reflection/v1/reflection.proto.
"""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

import helpers

P = helpers.load_protos()
v1 = P.reflection_v1_pb2

EXPECTED_SERVICES = {
    "grpc.testing.TestService",
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
}


@pytest.fixture
def reflection_db(interop_channel):
    return ProtoReflectionDescriptorDatabase(interop_channel)


def v1_exchange(channel: grpc.Channel, *requests: v1.ServerReflectionRequest) -> list[v1.ServerReflectionResponse]:
    stub = P.reflection_v1_pb2_grpc.ServerReflectionStub(channel)
    return list(stub.ServerReflectionInfo(iter(requests), timeout=helpers.RPC_TIMEOUT))


def test_v1alpha_lists_every_service(reflection_db):
    services = set(reflection_db.get_services())
    missing = EXPECTED_SERVICES - services
    assert not missing, f"reflection lists {sorted(services)}; missing {sorted(missing)}"


def test_v1alpha_finds_file_containing_test_service(reflection_db):
    file_proto = reflection_db.FindFileContainingSymbol("grpc.testing.TestService")
    assert file_proto.package == "grpc.testing"
    assert "TestService" in [service.name for service in file_proto.service]


def test_v1alpha_resolves_simple_request_through_test_service_file(reflection_db):
    pool = DescriptorPool(reflection_db)
    service = pool.FindServiceByName("grpc.testing.TestService")
    unary = service.methods_by_name["UnaryCall"]
    assert unary.input_type.full_name == "grpc.testing.SimpleRequest"
    simple_request = pool.FindMessageTypeByName("grpc.testing.SimpleRequest")
    assert {"response_size", "payload", "response_status", "expect_compressed"} <= set(
        simple_request.fields_by_name
    )
    assert simple_request.fields_by_name["payload"].message_type.full_name == "grpc.testing.Payload"


def test_v1_lists_every_service(interop_channel):
    (response,) = v1_exchange(interop_channel, v1.ServerReflectionRequest(list_services=""))
    assert response.WhichOneof("message_response") == "list_services_response", response
    services = {service.name for service in response.list_services_response.service}
    missing = EXPECTED_SERVICES - services
    assert not missing, f"reflection v1 lists {sorted(services)}; missing {sorted(missing)}"


def test_v1_answers_unknown_symbol_with_not_found(interop_channel):
    request = v1.ServerReflectionRequest(file_containing_symbol="no.such.Symbol")
    (response,) = v1_exchange(interop_channel, request)
    assert response.WhichOneof("message_response") == "error_response", response
    assert response.error_response.error_code == grpc.StatusCode.NOT_FOUND.value[0]
    assert response.original_request == request


def test_v1_answers_each_request_on_one_stream_in_order(interop_channel):
    responses = v1_exchange(
        interop_channel,
        v1.ServerReflectionRequest(list_services=""),
        v1.ServerReflectionRequest(file_containing_symbol="grpc.testing.TestService"),
        v1.ServerReflectionRequest(file_containing_symbol="no.such.Symbol"),
    )
    kinds = [r.WhichOneof("message_response") for r in responses]
    assert kinds == ["list_services_response", "file_descriptor_response", "error_response"]
