"""Shared pieces of the gateway tests: the services (two indicator-service replicas on one database,
programme-service and parity-service) with the gateway in front of them, its keys file, and calls made by method name with raw
bytes, so every RPC of every service can be called without its request type."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
from pathlib import Path

import grpc

import helpers
import indicator_fixtures
import parity_fixtures
import programme_fixtures

P = helpers.load_protos()

IDENTITY_SECRET = "gateway-test-secret-of-at-least-32-bytes"
KEYS = {  # key -> (name, scopes)
    "reader-key": ("reader", ["indicators:read", "programmes:read", "parity:read"]),
    "writer-key": ("writer", ["indicators:read", "indicators:write", "programmes:read", "programmes:write",
                              "parity:read", "parity:write", "parity:personal"]),
    "limited-key": ("limited", ["indicators:read"]),
    # Keys of their own for tests that count against the rate limit.
    "json-key": ("json", ["indicators:read", "programmes:read", "parity:read", "parity:personal"]),
    "limit-key": ("limit", ["indicators:read"]),
    # Every scope: what a passthrough route (a service the gateway has no descriptors for) needs.
    "admin-key": ("admin", ["admin"]),
}
RATE_LIMITED_METHOD = "isid.indicators.v1.IndicatorService/GetDataSource"
RATE_LIMIT = f"{RATE_LIMITED_METHOD}=3/min"
SERVICES = {
    "isid.indicators.v1.IndicatorService": P.indicator_service_pb2.DESCRIPTOR.services_by_name["IndicatorService"],
    "isid.programmes.v1.ProgrammeService": P.programme_service_pb2.DESCRIPTOR.services_by_name["ProgrammeService"],
    "isid.parity.v1.ParityService": P.parity_service_pb2.DESCRIPTOR.services_by_name["ParityService"],
}


def bearer(key: str) -> tuple:
    return (("authorization", f"Bearer {key}"),)


def write_keys_file(path: Path) -> None:
    path.write_text(json.dumps({"keys": [
        {"name": name, "sha256": hashlib.sha256(key.encode()).hexdigest(), "scopes": scopes}
        for key, (name, scopes) in KEYS.items()
    ]}))


@contextlib.contextmanager
def running_gateway(executable, routes: dict[str, list[str]], keys_file: Path, *extra: str):
    argv = [*executable("gateway"), "--keys-file", str(keys_file), "--anonymous-reads", "indicators",
            "--metrics-port", str(helpers.free_port()),
            "--rate-limit", RATE_LIMIT, "--keys-reload-seconds", "1", *extra]
    for service, endpoints in routes.items():
        argv += ["--route", f"{service}={','.join(endpoints)}"]
    process = helpers.ServerProcess(argv, name="gateway", env={"ISID_IDENTITY_SECRET": IDENTITY_SECRET})
    try:
        process.start()
        yield process
        process.stop()
    finally:
        process.ensure_dead()


@contextlib.contextmanager
def running_stack(executable, *gateway_arguments: str):
    """Two indicator-service replicas on one database, programme-service, parity-service, and the gateway before
    them (given `gateway_arguments` too)."""
    with contextlib.ExitStack() as stack:
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="isid-gateway-")))
        env = {"ISID_IDENTITY_SECRET": IDENTITY_SECRET}
        replicas = []
        for _ in range(2):
            process = helpers.ServerProcess(
                indicator_fixtures.service_argv(executable, directory / "indicators.sqlite"),
                name="indicator-service", env=env, startup_timeout=indicator_fixtures.STARTUP_TIMEOUT)
            stack.callback(process.ensure_dead)
            process.start()
            replicas.append(process)
        programmes = helpers.ServerProcess(
            programme_fixtures.service_argv(executable, directory / "programmes.sqlite",
                                            "--indicator-service", replicas[0].address),
            name="programme-service", env=env, startup_timeout=programme_fixtures.STARTUP_TIMEOUT)
        stack.callback(programmes.ensure_dead)
        programmes.start()
        parity = helpers.ServerProcess(
            parity_fixtures.service_argv(executable, directory / "parity.sqlite",
                                         "--programme-service", programmes.address),
            name="parity-service", env=env, startup_timeout=parity_fixtures.STARTUP_TIMEOUT)
        stack.callback(parity.ensure_dead)
        parity.start()
        keys_file = directory / "keys.json"
        write_keys_file(keys_file)
        gateway = stack.enter_context(running_gateway(executable, {
            "isid.indicators.v1.IndicatorService": [r.address for r in replicas],
            "isid.programmes.v1.ProgrammeService": [programmes.address],
            "isid.parity.v1.ParityService": [parity.address],
        }, keys_file, *gateway_arguments))
        yield {"gateway": gateway, "replicas": replicas, "programmes": programmes, "parity": parity,
               "keys_file": keys_file}


def call_raw(channel, service: str, method, request: bytes = b"", metadata=(), timeout: float = 5.0):
    """Calls `method` (a MethodDescriptor of `service`) with `request` bytes; returns the response bytes of a
    unary call, or the list of responses of a server-streaming one."""
    path = f"/{service}/{method.name}"
    identity = lambda b: b  # noqa: E731
    if method.server_streaming and not method.client_streaming:
        call = channel.unary_stream(path, request_serializer=identity, response_deserializer=identity)
        return list(call(request, metadata=metadata, timeout=timeout))
    call = channel.unary_unary(path, request_serializer=identity, response_deserializer=identity)
    return call(request, metadata=metadata, timeout=timeout)


def is_read(method) -> bool:
    return method.GetOptions().idempotency_level == 1  # NO_SIDE_EFFECTS


def domain(service: str) -> str:
    return service.split(".")[1]


def status_of(call) -> grpc.StatusCode:
    try:
        call()
        return grpc.StatusCode.OK
    except grpc.RpcError as error:
        return error.code()
