#!/usr/bin/env python3
"""One real helloworld.Greeter/SayHello call with grpcio; exit 0 iff the reply is right.

Usage: greeter_check.py HOST:PORT [NAME]   (NAME defaults to "world")

bench.sh runs this before every h2load run, so a server that answers HTTP 200
with a wrong or non-OK gRPC reply is caught before it is measured.
"""

from __future__ import annotations

import os
import sys

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import helloworld_stubs  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    target = argv[1]
    name = argv[2] if len(argv) == 3 else "world"
    helloworld_pb2, helloworld_pb2_grpc = helloworld_stubs.load()
    with grpc.insecure_channel(target) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=10)
            reply, call = helloworld_pb2_grpc.GreeterStub(channel).SayHello.with_call(
                helloworld_pb2.HelloRequest(name=name), timeout=10
            )
        except grpc.FutureTimeoutError:
            print(f"greeter check: cannot connect to {target} within 10 s", file=sys.stderr)
            return 1
        except grpc.RpcError as error:
            print(f"greeter check: SayHello failed: {error.code()} {error.details()!r}", file=sys.stderr)
            return 1
    expected = "Hello " + name
    if call.code() != grpc.StatusCode.OK or reply.message != expected:
        print(f"greeter check: got status {call.code()} message {reply.message!r}, expected OK {expected!r}",
              file=sys.stderr)
        return 1
    print(f"greeter check: {target} replied {reply.message!r} with status OK", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
