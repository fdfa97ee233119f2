"""Isid's interop-server passes the official interop client cases.

The client is python_interop_client.py (stock grpcio). The compression cases
go through a WireObserver so that the compressed flag of each message, which
grpcio does not expose, is checked on the wire as the spec asks.
"""

from __future__ import annotations

import contextlib

import pytest

import helpers
from python_interop_client import CASE_NAMES, run_case

CASES_CHECKED_ON_THE_WIRE = {"client_compressed_unary", "server_compressed_unary"}


@pytest.mark.parametrize("case_name", CASE_NAMES)
def test_interop_server_passes_client_case(case_name, interop_server):
    with contextlib.ExitStack() as stack:
        wire = None
        address = interop_server.address
        if case_name in CASES_CHECKED_ON_THE_WIRE:
            wire = stack.enter_context(helpers.WireObserver(interop_server.host, interop_server.port))
            address = wire.address
        channel = stack.enter_context(helpers.connected_channel(address))
        run_case(case_name, channel, wire)
