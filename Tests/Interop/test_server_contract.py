"""Every server executable follows the contract the harness relies on.

--host/--port (0 = free port) or ISID_HOST/ISID_PORT; exactly one line
``listening on HOST:PORT`` on stdout once connections are accepted; logs on
stderr as JSON lines; SIGTERM drains in-flight calls and exits 0. (The exit
status is asserted by every server fixture on teardown.)
"""

from __future__ import annotations

import json
import socket

import grpc
import pytest

import helpers

P = helpers.load_protos()
SERVERS = ["interop-server", "greeter-server"]


@pytest.mark.parametrize("name", SERVERS)
def test_listening_line_reports_the_bound_loopback_address(name, server_factory):
    with server_factory(name) as server:
        assert server.host == "127.0.0.1"
        assert 0 < server.port < 65536
        with socket.create_connection((server.host, server.port), timeout=5):
            pass


@pytest.mark.parametrize("name", SERVERS)
def test_host_and_port_come_from_the_environment(name, server_factory):
    port = helpers.free_port()
    env = {"ISID_HOST": "127.0.0.1", "ISID_PORT": str(port)}
    with server_factory(name, host=None, port=None, env=env) as server:
        assert (server.host, server.port) == ("127.0.0.1", port)


@pytest.mark.parametrize("name", SERVERS)
def test_stdout_carries_only_the_listening_line(name, server_factory):
    with server_factory(name) as server:
        with helpers.connected_channel(server.address):
            pass
    assert server.stdout_lines == [server.listening_line]


@pytest.mark.parametrize("name", SERVERS)
def test_stderr_lines_are_json_objects(name, server_factory):
    with server_factory(name) as server:
        with helpers.connected_channel(server.address):
            pass
    for line in server.stderr_text().splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            pytest.fail(f"stderr line is not JSON: {line!r}")
        assert isinstance(record, dict), f"stderr line is JSON but not an object: {line!r}"


def test_sigterm_lets_an_in_flight_call_finish(server_factory, python_peer_mode):
    if python_peer_mode:
        # grpcio's Python server sometimes closes the connection on stop(grace) while a streaming
        # handler sleeps (seen under CPU load); that is the stand-in, not what this test checks in Isid.
        pytest.skip("the Python stand-in's graceful stop is not reliable for streaming calls")
    messages_pb2 = P.messages_pb2
    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[
            messages_pb2.ResponseParameters(size=1),
            messages_pb2.ResponseParameters(size=2, interval_us=1_000_000),
        ]
    )
    with server_factory("interop-server") as server:
        with helpers.connected_channel(server.address) as channel:
            responses = P.test_pb2_grpc.TestServiceStub(channel).StreamingOutputCall(
                request, timeout=helpers.RPC_TIMEOUT
            )
            assert len(next(responses).payload.body) == 1
            server.terminate()
            assert len(next(responses).payload.body) == 2
            assert list(responses) == []
            assert responses.code() == grpc.StatusCode.OK
        # leaving the block waits (bounded) for exit status 0
