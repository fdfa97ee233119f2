#!/usr/bin/env python3
"""One real grpc.testing.TestService/StreamingOutputCall with grpcio; exit 0 iff the stream is right.

Usage: streaming_check.py HOST:PORT MESSAGES SIZE

Asks for MESSAGES responses of SIZE bytes each and checks that exactly that
many came back, each a payload of SIZE zero bytes, then status OK. bench.sh
runs this before and after the streaming h2load run, as greeter_check.py for
the unary ones.
"""

from __future__ import annotations

import os
import sys

import grpc

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import testing_stubs  # noqa: E402


def main(argv: list[str]) -> int:
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    target, count, size = argv[1], int(argv[2]), int(argv[3])
    messages_pb2, test_pb2_grpc = testing_stubs.load()
    request = messages_pb2.StreamingOutputCallRequest(
        response_parameters=[messages_pb2.ResponseParameters(size=size) for _ in range(count)]
    )
    expected = bytes(size)
    with grpc.insecure_channel(target) as channel:
        try:
            grpc.channel_ready_future(channel).result(timeout=10)
            call = test_pb2_grpc.TestServiceStub(channel).StreamingOutputCall(request, timeout=30)
            received = 0
            for response in call:
                if response.payload.body != expected:
                    print(f"streaming check: message {received} has a {len(response.payload.body)}-byte body, "
                          f"expected {size} zero bytes", file=sys.stderr)
                    return 1
                received += 1
        except grpc.FutureTimeoutError:
            print(f"streaming check: cannot connect to {target} within 10 s", file=sys.stderr)
            return 1
        except grpc.RpcError as error:
            print(f"streaming check: StreamingOutputCall failed: {error.code()} {error.details()!r}",
                  file=sys.stderr)
            return 1
    if call.code() != grpc.StatusCode.OK or received != count:
        print(f"streaming check: got status {call.code()} after {received} messages, expected OK after {count}",
              file=sys.stderr)
        return 1
    print(f"streaming check: {target} streamed {count} messages of {size} bytes with status OK", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
