#!/usr/bin/env python3
"""The official gRPC interop *client* test cases, written against stock grpcio.

Each case follows doc/interop-test-descriptions.md in gRPC's repository: same
requests (sizes, metadata, status codes and messages), same assertions. A
case takes a ``CaseContext`` and raises ``AssertionError`` (or
``grpc.RpcError``) when the server misbehaves.

Limits of grpcio, and what we do about them:

* grpcio compresses per *call* (``compression=`` on the stub call), not per
  message, and it never shows the compressed flag of a received message. The
  compression cases therefore also accept a ``helpers.WireObserver`` (the
  relay the channel goes through) and read the flags off the wire:
  - client_compressed_unary: the probe is sent with
    ``grpc.Compression.NoCompression`` (so it is truly uncompressed; the server
    must answer INVALID_ARGUMENT), the second call with ``Gzip`` and the third
    with ``NoCompression``; with an observer, the request flags are asserted.
  - server_compressed_unary: with an observer, the response's compressed flag
    must be set iff ``response_compressed`` was true. Without one (the CLI
    against an arbitrary server) only the payloads are checked.
* Everything else is fully expressible with grpcio.

Run directly, it behaves like the official interop client binary:
``--server_host``, ``--server_port``, ``--test_case``, ``--use_tls=false``
(``--server_host_override`` is accepted and ignored); exit 0 on success.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import queue
import sys
from typing import Callable

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402

P = helpers.load_protos()
messages_pb2 = P.messages_pb2
empty_pb2 = P.empty_pb2

TIMEOUT = helpers.RPC_TIMEOUT
ECHO_INITIAL = ("x-grpc-test-echo-initial", "test_initial_metadata_value")
ECHO_TRAILING = ("x-grpc-test-echo-trailing-bin", b"\xab\xab\xab")
SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"


@dataclasses.dataclass
class CaseContext:
    channel: grpc.Channel
    wire: helpers.WireObserver | None = None

    @property
    def stub(self):
        return P.test_pb2_grpc.TestServiceStub(self.channel)


CASES: dict[str, Callable[[CaseContext], None]] = {}


def case(fn: Callable[[CaseContext], None]) -> Callable[[CaseContext], None]:
    CASES[fn.__name__] = fn
    return fn


# -- helpers -------------------------------------------------------------------

def zeros(size: int) -> messages_pb2.Payload:
    return messages_pb2.Payload(body=b"\x00" * size)


def assert_payload(payload: messages_pb2.Payload, size: int, what: str = "response") -> None:
    assert payload.type == messages_pb2.COMPRESSABLE, f"{what} payload type {payload.type}, expected COMPRESSABLE"
    assert len(payload.body) == size, f"{what} payload is {len(payload.body)} bytes, expected {size}"
    assert payload.body == b"\x00" * size, f"{what} payload is not all zeros"


def expect_status(call_or_error, code: grpc.StatusCode, details: str | None = None) -> None:
    actual = call_or_error.code()
    assert actual == code, f"status {actual}, expected {code} (details: {call_or_error.details()!r})"
    if details is not None:
        assert call_or_error.details() == details, (
            f"status message {call_or_error.details()!r}, expected {details!r}"
        )


def expect_rpc_error(fn: Callable[[], object], code: grpc.StatusCode, details: str | None = None):
    try:
        result = fn()
    except grpc.RpcError as error:
        expect_status(error, code, details)
        return error
    raise AssertionError(f"call succeeded ({result!r:.200}), expected status {code}")


def metadata_value(metadata, key: str):
    values = [m.value for m in (metadata or ()) if m.key == key]
    assert len(values) == 1, f"metadata {key!r}: got {values!r} in {metadata!r}, expected exactly one value"
    return values[0]


def large_unary_request(**fields) -> messages_pb2.SimpleRequest:
    return messages_pb2.SimpleRequest(
        response_type=messages_pb2.COMPRESSABLE,
        response_size=314159,
        payload=zeros(271828),
        **fields,
    )


class Pipe:
    """A request iterator fed by the test, for full-duplex calls.

    Blocks (bounded) until the next request is added or the pipe is closed.
    """

    _CLOSED = object()

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue()

    def add(self, request) -> None:
        self._queue.put(request)

    def close(self) -> None:
        self._queue.put(self._CLOSED)

    def __iter__(self):
        return self

    def __next__(self):
        try:
            item = self._queue.get(timeout=TIMEOUT * 3)
        except queue.Empty:
            raise StopIteration from None
        if item is self._CLOSED:
            raise StopIteration
        return item

    def __enter__(self) -> "Pipe":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def streaming_request(response_size: int, payload_size: int, **fields) -> messages_pb2.StreamingOutputCallRequest:
    return messages_pb2.StreamingOutputCallRequest(
        response_type=messages_pb2.COMPRESSABLE,
        response_parameters=[messages_pb2.ResponseParameters(size=response_size)],
        payload=zeros(payload_size),
        **fields,
    )


def wire_flags(ctx: CaseContext, mark: int, direction: str) -> list[bool]:
    assert ctx.wire is not None
    return [m.compressed for m in ctx.wire.messages_since(mark, direction)]


# -- the cases -----------------------------------------------------------------

@case
def empty_unary(ctx: CaseContext) -> None:
    response = ctx.stub.EmptyCall(empty_pb2.Empty(), timeout=TIMEOUT)
    assert isinstance(response, empty_pb2.Empty), f"response {response!r} is not grpc.testing.Empty"
    assert response.ByteSize() == 0, "response Empty is not empty"


@case
def large_unary(ctx: CaseContext) -> None:
    response = ctx.stub.UnaryCall(large_unary_request(), timeout=TIMEOUT)
    assert_payload(response.payload, 314159)


@case
def client_compressed_unary(ctx: CaseContext) -> None:
    # 1. Probe: uncompressed message that claims to be compressed.
    mark = ctx.wire.mark() if ctx.wire else 0
    expect_rpc_error(
        lambda: ctx.stub.UnaryCall(
            large_unary_request(expect_compressed=messages_pb2.BoolValue(value=True)),
            compression=grpc.Compression.NoCompression,
            timeout=TIMEOUT,
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
    )
    if ctx.wire:
        assert wire_flags(ctx, mark, helpers.CLIENT_TO_SERVER) == [False], "probe request was not sent uncompressed"

    # 2. Compressed message, expect_compressed = true.
    mark = ctx.wire.mark() if ctx.wire else 0
    response = ctx.stub.UnaryCall(
        large_unary_request(expect_compressed=messages_pb2.BoolValue(value=True)),
        compression=grpc.Compression.Gzip,
        timeout=TIMEOUT,
    )
    assert_payload(response.payload, 314159)
    if ctx.wire:
        assert wire_flags(ctx, mark, helpers.CLIENT_TO_SERVER) == [True], "request was not sent compressed"

    # 3. Uncompressed message, expect_compressed = false.
    mark = ctx.wire.mark() if ctx.wire else 0
    response = ctx.stub.UnaryCall(
        large_unary_request(expect_compressed=messages_pb2.BoolValue(value=False)),
        compression=grpc.Compression.NoCompression,
        timeout=TIMEOUT,
    )
    assert_payload(response.payload, 314159)
    if ctx.wire:
        assert wire_flags(ctx, mark, helpers.CLIENT_TO_SERVER) == [False], "request was not sent uncompressed"


@case
def server_compressed_unary(ctx: CaseContext) -> None:
    for compressed in (True, False):
        mark = ctx.wire.mark() if ctx.wire else 0
        response = ctx.stub.UnaryCall(
            large_unary_request(response_compressed=messages_pb2.BoolValue(value=compressed)),
            timeout=TIMEOUT,
        )
        assert_payload(response.payload, 314159)
        if ctx.wire:
            flags = wire_flags(ctx, mark, helpers.SERVER_TO_CLIENT)
            assert flags == [compressed], (
                f"response_compressed={compressed}: response message flags on the wire {flags}, "
                f"expected [{compressed}]"
            )


@case
def client_streaming(ctx: CaseContext) -> None:
    requests = (messages_pb2.StreamingInputCallRequest(payload=zeros(n)) for n in (27182, 8, 1828, 45904))
    response = ctx.stub.StreamingInputCall(requests, timeout=TIMEOUT)
    assert response.aggregated_payload_size == 74922, (
        f"aggregated_payload_size {response.aggregated_payload_size}, expected 74922"
    )


@case
def server_streaming(ctx: CaseContext) -> None:
    sizes = (31415, 9, 2653, 58979)
    request = messages_pb2.StreamingOutputCallRequest(
        response_type=messages_pb2.COMPRESSABLE,
        response_parameters=[messages_pb2.ResponseParameters(size=n) for n in sizes],
    )
    responses = list(ctx.stub.StreamingOutputCall(request, timeout=TIMEOUT))
    assert len(responses) == 4, f"{len(responses)} responses, expected 4"
    for response, size in zip(responses, sizes):
        assert_payload(response.payload, size)


@case
def ping_pong(ctx: CaseContext) -> None:
    with Pipe() as pipe:
        responses = ctx.stub.FullDuplexCall(pipe, timeout=TIMEOUT)
        for response_size, payload_size in zip((31415, 9, 2653, 58979), (27182, 8, 1828, 45904)):
            pipe.add(streaming_request(response_size, payload_size))
            response = next(responses)
            assert_payload(response.payload, response_size)
        pipe.close()
        rest = list(responses)
        assert rest == [], f"{len(rest)} responses after the fourth, expected none"
        expect_status(responses, grpc.StatusCode.OK)


@case
def empty_stream(ctx: CaseContext) -> None:
    responses = ctx.stub.FullDuplexCall(iter(()), timeout=TIMEOUT)
    received = list(responses)
    assert received == [], f"{len(received)} responses, expected none"
    expect_status(responses, grpc.StatusCode.OK)


@case
def timeout_on_sleeping_server(ctx: CaseContext) -> None:
    with Pipe() as pipe:
        responses = ctx.stub.FullDuplexCall(pipe, timeout=0.001)
        pipe.add(messages_pb2.StreamingOutputCallRequest(payload=zeros(27182)))
        expect_rpc_error(lambda: next(responses), grpc.StatusCode.DEADLINE_EXCEEDED)


@case
def cancel_after_begin(ctx: CaseContext) -> None:
    with Pipe() as pipe:
        future = ctx.stub.StreamingInputCall.future(pipe, timeout=TIMEOUT)
        future.cancel()
        assert future.cancelled(), "call did not report being cancelled"
        expect_status(future, grpc.StatusCode.CANCELLED)


@case
def cancel_after_first_response(ctx: CaseContext) -> None:
    with Pipe() as pipe:
        responses = ctx.stub.FullDuplexCall(pipe, timeout=TIMEOUT)
        pipe.add(streaming_request(31415, 27182))
        assert_payload(next(responses).payload, 31415)
        responses.cancel()
        expect_rpc_error(lambda: next(responses), grpc.StatusCode.CANCELLED)


@case
def custom_metadata(ctx: CaseContext) -> None:
    metadata = (ECHO_INITIAL, ECHO_TRAILING)

    response, call = ctx.stub.UnaryCall.with_call(large_unary_request(), metadata=metadata, timeout=TIMEOUT)
    assert_payload(response.payload, 314159)
    assert metadata_value(call.initial_metadata(), ECHO_INITIAL[0]) == ECHO_INITIAL[1]
    assert metadata_value(call.trailing_metadata(), ECHO_TRAILING[0]) == ECHO_TRAILING[1]

    with Pipe() as pipe:
        responses = ctx.stub.FullDuplexCall(pipe, metadata=metadata, timeout=TIMEOUT)
        pipe.add(streaming_request(314159, 271828))
        assert_payload(next(responses).payload, 314159)
        pipe.close()
        assert list(responses) == [], "more than one response"
        expect_status(responses, grpc.StatusCode.OK)
        assert metadata_value(responses.initial_metadata(), ECHO_INITIAL[0]) == ECHO_INITIAL[1]
        assert metadata_value(responses.trailing_metadata(), ECHO_TRAILING[0]) == ECHO_TRAILING[1]


def _echo_status_both_ways(ctx: CaseContext, message: str, *, duplex: bool) -> None:
    status = messages_pb2.EchoStatus(code=2, message=message)
    expect_rpc_error(
        lambda: ctx.stub.UnaryCall(messages_pb2.SimpleRequest(response_status=status), timeout=TIMEOUT),
        grpc.StatusCode.UNKNOWN,
        message,
    )
    if not duplex:
        return
    with Pipe() as pipe:
        responses = ctx.stub.FullDuplexCall(pipe, timeout=TIMEOUT)
        pipe.add(messages_pb2.StreamingOutputCallRequest(response_status=status))
        pipe.close()
        expect_rpc_error(lambda: list(responses), grpc.StatusCode.UNKNOWN, message)


@case
def status_code_and_message(ctx: CaseContext) -> None:
    _echo_status_both_ways(ctx, "test status message", duplex=True)


@case
def special_status_message(ctx: CaseContext) -> None:
    _echo_status_both_ways(ctx, SPECIAL_STATUS_MESSAGE, duplex=False)


@case
def unimplemented_method(ctx: CaseContext) -> None:
    expect_rpc_error(
        lambda: ctx.stub.UnimplementedCall(empty_pb2.Empty(), timeout=TIMEOUT),
        grpc.StatusCode.UNIMPLEMENTED,
    )


@case
def unimplemented_service(ctx: CaseContext) -> None:
    stub = P.test_pb2_grpc.UnimplementedServiceStub(ctx.channel)
    expect_rpc_error(
        lambda: stub.UnimplementedCall(empty_pb2.Empty(), timeout=TIMEOUT),
        grpc.StatusCode.UNIMPLEMENTED,
    )


CASE_NAMES = tuple(CASES)


def run_case(name: str, channel: grpc.Channel, wire: helpers.WireObserver | None = None) -> None:
    CASES[name](CaseContext(channel=channel, wire=wire))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="grpcio implementation of the gRPC interop client")
    parser.add_argument("--server_host", default="127.0.0.1")
    parser.add_argument("--server_port", type=int, required=True)
    parser.add_argument("--test_case", required=True, choices=CASE_NAMES)
    parser.add_argument("--use_tls", default="false")
    parser.add_argument("--server_host_override", default=None, help="ignored")
    args, _unknown = parser.parse_known_args(argv)
    if args.use_tls.lower() not in ("false", "0", "no"):
        print("TLS is not supported by this client", file=sys.stderr)
        return 2
    with grpc.insecure_channel(f"{args.server_host}:{args.server_port}") as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=TIMEOUT)
            run_case(args.test_case, channel)
        except (AssertionError, grpc.RpcError, grpc.FutureTimeoutError) as error:
            print(f"{args.test_case}: FAILED: {type(error).__name__}: {error}", file=sys.stderr)
            return 1
    print(f"{args.test_case}: passed", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
