#!/usr/bin/env python3
"""helloworld.Greeter/SayHello and grpc.testing.TestService/StreamingOutputCall on stock grpcio
(asyncio server): a benchmark peer.

Follows Isid's server contract: --host (default 127.0.0.1) and --port (0 picks
a free port), also from ISID_HOST/ISID_PORT; prints exactly one line
``listening on HOST:PORT`` on stdout once it accepts connections; SIGTERM
drains and exits 0. Replies "Hello " + name.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helloworld_stubs  # noqa: E402
import testing_stubs  # noqa: E402

helloworld_pb2, helloworld_pb2_grpc = helloworld_stubs.load()
messages_pb2, test_pb2_grpc = testing_stubs.load()


class Greeter(helloworld_pb2_grpc.GreeterServicer):
    async def SayHello(self, request, context):
        return helloworld_pb2.HelloReply(message="Hello " + request.name)


class TestService(test_pb2_grpc.TestServiceServicer):
    """StreamingOutputCall only; the generated servicer answers UNIMPLEMENTED for the other methods."""

    async def StreamingOutputCall(self, request, context):
        # One COMPRESSABLE payload of `size` zero bytes per response parameter, after waiting
        # interval_us, as the interop spec says. The request's compressed and response_status
        # fields are ignored: the benchmark asks for neither.
        for parameters in request.response_parameters:
            if parameters.interval_us > 0:
                await asyncio.sleep(parameters.interval_us / 1e6)
            payload = messages_pb2.Payload(type=messages_pb2.COMPRESSABLE, body=bytes(max(parameters.size, 0)))
            await context.write(messages_pb2.StreamingOutputCallResponse(payload=payload))


async def serve(host: str, port: int) -> None:
    server = grpc.aio.server()
    helloworld_pb2_grpc.add_GreeterServicer_to_server(Greeter(), server)
    test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise SystemExit(f"cannot bind {host}:{port}")
    # Handlers before the listening line: a SIGTERM right after it must drain.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await server.start()
    print(f"listening on {host}:{bound}", flush=True)
    await stop.wait()
    await server.stop(grace=5)


def main() -> int:
    parser = argparse.ArgumentParser(description="grpcio helloworld.Greeter and grpc.testing.TestService server")
    parser.add_argument("--host", default=os.environ.get("ISID_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("ISID_PORT", "0")))
    args = parser.parse_args()
    asyncio.run(serve(args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
