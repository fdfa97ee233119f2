"""Isid's interop-client passes every official case against a grpcio server.

The server is python_interop_server.py, running in this process on
127.0.0.1 port 0; each case runs the client binary once, as the official
interop runner does, and requires exit status 0 within a bounded time.
"""

from __future__ import annotations

import subprocess

import pytest

import helpers
from python_interop_client import CASE_NAMES


@pytest.mark.parametrize("case_name", CASE_NAMES)
def test_interop_client_passes_case_against_grpcio_server(case_name, interop_client_argv, python_interop_server):
    argv = interop_client_argv + [
        "--server_host=127.0.0.1",
        f"--server_port={python_interop_server.port}",
        f"--test_case={case_name}",
        "--use_tls=false",
        "--server_host_override=foo.test.google.fr",
    ]
    try:
        result = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=helpers.CLIENT_CASE_TIMEOUT,
        )
    except subprocess.TimeoutExpired as timeout:
        pytest.fail(
            f"{' '.join(argv)} did not finish within {helpers.CLIENT_CASE_TIMEOUT:.0f} s\n"
            f"stdout:\n{timeout.stdout or ''}\nstderr:\n{timeout.stderr or ''}"
        )
    assert result.returncode == 0, (
        f"{' '.join(argv)} exited with status {result.returncode}\n"
        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
