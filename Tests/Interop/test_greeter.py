"""Isid's greeter-server answers helloworld.Greeter/SayHello like the gRPC example."""

from __future__ import annotations

import helpers

P = helpers.load_protos()


def test_greeter_says_hello_to_the_name(greeter_server):
    with helpers.connected_channel(greeter_server.address) as channel:
        stub = P.helloworld_pb2_grpc.GreeterStub(channel)
        reply = stub.SayHello(P.helloworld_pb2.HelloRequest(name="world"), timeout=helpers.RPC_TIMEOUT)
    assert reply.message == "Hello world"


def test_greeter_says_hello_to_an_empty_name(greeter_server):
    with helpers.connected_channel(greeter_server.address) as channel:
        stub = P.helloworld_pb2_grpc.GreeterStub(channel)
        reply = stub.SayHello(P.helloworld_pb2.HelloRequest(), timeout=helpers.RPC_TIMEOUT)
    assert reply.message == "Hello "
