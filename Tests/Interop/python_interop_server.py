#!/usr/bin/env python3
"""The official gRPC interop *server*, written against stock grpcio.

Serves grpc.testing.TestService as doc/interop-test-descriptions.md (and the
C++ reference server) describe it:

* EmptyCall, UnaryCall, CacheableUnaryCall, StreamingOutputCall,
  StreamingInputCall, FullDuplexCall, HalfDuplexCall; UnimplementedCall is left
  to the generated base class, which answers UNIMPLEMENTED;
* Echo Metadata: ``x-grpc-test-echo-initial`` comes back in the initial
  metadata, ``x-grpc-test-echo-trailing-bin`` in the trailing metadata;
* Echo Status: a request's ``response_status`` ends the call with that code
  and message (no further messages are processed);
* CompressedResponse: ``response_compressed`` / ``ResponseParameters.compressed``
  switch gzip on or off for the response message(s);
* CompressedRequest: ``expect_compressed`` is checked against the compressed
  flag the request message really carried. grpcio never shows that flag (nor
  the grpc-encoding header) to a servicer, so the server sits behind a
  ``helpers.WireObserver`` that reads it off the wire; only UnaryCall checks it
  (the interop cases we run need no more; StreamingInputCall would need
  per-message correlation that a byte relay cannot give reliably);
* ResponseParameters.interval_us: a sleep before each response.

``InteropServer(..., standard_services=True)`` also adds grpc.health.v1.Health
(grpcio-health-checking) and server reflection v1alpha (grpcio-reflection) and
v1 (the v1alpha implementation behind the v1 method name; the two protocols
are identical on the wire). That makes it a stand-in for Isid's
``interop-server`` in the suite's ``--python-peer`` self-check.

Run directly, it follows the server contract: ``--host``/``--port`` (or
ISID_HOST/ISID_PORT), one ``listening on HOST:PORT`` line, SIGTERM exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent import futures

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helpers  # noqa: E402

P = helpers.load_protos()
messages_pb2 = P.messages_pb2

ECHO_INITIAL_KEY = "x-grpc-test-echo-initial"
ECHO_TRAILING_KEY = "x-grpc-test-echo-trailing-bin"

TEST_SERVICE = "grpc.testing.TestService"
HEALTH_SERVICE = "grpc.health.v1.Health"
REFLECTION_V1 = "grpc.reflection.v1.ServerReflection"
REFLECTION_V1ALPHA = "grpc.reflection.v1alpha.ServerReflection"

_STATUS_BY_CODE = {code.value[0]: code for code in grpc.StatusCode}


def _echo_metadata(context: grpc.ServicerContext) -> None:
    received = {m.key: m.value for m in context.invocation_metadata()}
    if ECHO_INITIAL_KEY in received:
        context.send_initial_metadata(((ECHO_INITIAL_KEY, received[ECHO_INITIAL_KEY]),))
    if ECHO_TRAILING_KEY in received:
        context.set_trailing_metadata(((ECHO_TRAILING_KEY, received[ECHO_TRAILING_KEY]),))


def _abort_with_echo_status(request, context: grpc.ServicerContext) -> None:
    """Echo Status: end the call with the requested code and message."""
    if not request.HasField("response_status"):
        return
    status = request.response_status
    code = _STATUS_BY_CODE.get(status.code, grpc.StatusCode.UNKNOWN)
    if code is grpc.StatusCode.OK:
        return
    context.abort(code, status.message)


def _payload(size: int) -> messages_pb2.Payload:
    return messages_pb2.Payload(type=messages_pb2.COMPRESSABLE, body=b"\x00" * size)


def _check_response_type(request, context: grpc.ServicerContext) -> None:
    if request.response_type != messages_pb2.COMPRESSABLE:
        context.abort(grpc.StatusCode.INVALID_ARGUMENT, "unsupported response_type")


class TestService(P.test_pb2_grpc.TestServiceServicer):
    def __init__(self, observer: helpers.WireObserver | None = None) -> None:
        self.observer = observer

    def _request_was_compressed(self) -> bool | None:
        if self.observer is None:
            return None
        last = self.observer.last(helpers.CLIENT_TO_SERVER)
        return None if last is None else last.compressed

    def EmptyCall(self, request, context):
        _echo_metadata(context)
        return P.empty_pb2.Empty()

    def UnaryCall(self, request, context):
        # Compression first: grpcio refuses set_compression() once initial
        # metadata (which the echo may send) is out.
        if request.HasField("response_compressed"):
            context.set_compression(
                grpc.Compression.Gzip if request.response_compressed.value else grpc.Compression.NoCompression
            )
        _echo_metadata(context)
        if request.HasField("expect_compressed"):
            # Like the C++ server: the flag must match what was asked for
            # (absent = no expectation, the lenient reading).
            was_compressed = self._request_was_compressed()
            if was_compressed is not None and was_compressed != request.expect_compressed.value:
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    "Compressed request expectation not met: "
                    f"expect_compressed={request.expect_compressed.value}, "
                    f"message compressed={was_compressed}",
                )
        _check_response_type(request, context)
        _abort_with_echo_status(request, context)
        return messages_pb2.SimpleResponse(payload=_payload(request.response_size))

    def CacheableUnaryCall(self, request, context):
        _echo_metadata(context)
        stamp = str(time.time_ns()).encode()
        return messages_pb2.SimpleResponse(
            payload=messages_pb2.Payload(type=messages_pb2.COMPRESSABLE, body=stamp)
        )

    def StreamingOutputCall(self, request, context):
        if _compression_wanted(request):
            context.set_compression(grpc.Compression.Gzip)
        _echo_metadata(context)
        _abort_with_echo_status(request, context)
        _check_response_type(request, context)
        yield from _respond(request.response_parameters, context)

    def StreamingInputCall(self, request_iterator, context):
        _echo_metadata(context)
        total = 0
        for request in request_iterator:
            total += len(request.payload.body)
        return messages_pb2.StreamingInputCallResponse(aggregated_payload_size=total)

    def FullDuplexCall(self, request_iterator, context):
        # grpc-encoding goes out with the initial metadata, so the first
        # request decides whether gzip is available for this call; the echo
        # of initial metadata waits for it too (grpcio sends initial metadata
        # as soon as it is set). With no request at all, echo at the end.
        echoed = False
        for request in request_iterator:
            if not echoed:
                if _compression_wanted(request):
                    context.set_compression(grpc.Compression.Gzip)
                _echo_metadata(context)
                echoed = True
            _abort_with_echo_status(request, context)
            _check_response_type(request, context)
            yield from _respond(request.response_parameters, context)
        if not echoed:
            _echo_metadata(context)

    def HalfDuplexCall(self, request_iterator, context):
        requests = list(request_iterator)
        if any(_compression_wanted(r) for r in requests):
            context.set_compression(grpc.Compression.Gzip)
        _echo_metadata(context)
        for request in requests:
            _abort_with_echo_status(request, context)
        for request in requests:
            yield from _respond(request.response_parameters, context)


def _compression_wanted(request) -> bool:
    return any(p.HasField("compressed") and p.compressed.value for p in request.response_parameters)


def _respond(parameters, context: grpc.ServicerContext):
    """One response per ResponseParameters; gzip (if set on the call) only
    where ``compressed`` asks for it."""
    for parameter in parameters:
        if parameter.interval_us > 0:
            time.sleep(parameter.interval_us / 1_000_000)
        if not (parameter.HasField("compressed") and parameter.compressed.value):
            context.disable_next_message_compression()
        yield messages_pb2.StreamingOutputCallResponse(payload=_payload(parameter.size))


def add_standard_services(server: grpc.Server) -> None:
    """Health + reflection (v1alpha and v1), as Isid's interop-server has."""
    from grpc_health.v1 import health, health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection, reflection_pb2 as v1alpha

    health_servicer = health.HealthServicer()
    health_servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    health_servicer.set(TEST_SERVICE, health_pb2.HealthCheckResponse.SERVING)
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)

    names = [TEST_SERVICE, HEALTH_SERVICE, REFLECTION_V1, REFLECTION_V1ALPHA]
    reflection.enable_server_reflection(names, server)
    v1_servicer = reflection.ReflectionServicer(names)
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                REFLECTION_V1,
                {
                    "ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(
                        v1_servicer.ServerReflectionInfo,
                        request_deserializer=v1alpha.ServerReflectionRequest.FromString,
                        response_serializer=v1alpha.ServerReflectionResponse.SerializeToString,
                    )
                },
            ),
        )
    )


class InteropServer:
    """grpcio server with TestService, reachable through a WireObserver.

    ``address``/``port`` are the observer's (what clients should dial).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, standard_services: bool = False) -> None:
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
        self._grpc_port = self.server.add_insecure_port("127.0.0.1:0")
        self.observer = helpers.WireObserver("127.0.0.1", self._grpc_port, listen_host=host, listen_port=port)
        P.test_pb2_grpc.add_TestServiceServicer_to_server(TestService(self.observer), self.server)
        if standard_services:
            add_standard_services(self.server)

    @property
    def host(self) -> str:
        return self.observer.host

    @property
    def port(self) -> int:
        return self.observer.port

    @property
    def address(self) -> str:
        return self.observer.address

    def start(self) -> "InteropServer":
        self.server.start()
        return self

    def stop(self, grace: float = 2.0) -> None:
        self.observer.close()
        self.server.stop(grace).wait(grace + 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("ISID_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ISID_PORT", "0")))
    parser.add_argument("--use_tls", default="false", help="only 'false' is supported")
    args = parser.parse_args(argv)
    if args.use_tls.lower() not in ("false", "0", "no"):
        parser.error("TLS is not supported by this server")
    stop = helpers.sigterm_event()
    interop = InteropServer(args.host, args.port, standard_services=True).start()
    helpers.print_listening_line(interop.host, interop.port)
    helpers.wait_and_stop(interop.server, stop)
    interop.observer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
