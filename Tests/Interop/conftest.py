"""Fixtures for the interop suite: Isid's executables against stock grpcio.

By default the fixtures run Isid's executables from ``<repo>/.build/release``
(or ``$ISID_BIN_DIR``). A missing executable is an error, never a skip.

``--python-peer`` is the harness self-check: every Isid executable is replaced
by its Python stand-in in this directory (``python_interop_server.py``,
``python_interop_client.py``) or in ``Benchmarks/peers``
(``python_greeter_server.py``). Passing in that mode proves the test cases,
the stand-in server and the fixtures are right; it says nothing about Isid.
"""

from __future__ import annotations

import contextlib
import sys

import pytest

pytest.register_assert_rewrite("python_interop_client", "helpers")

import helpers  # noqa: E402

STAND_INS = {
    "interop-server": helpers.python_peer("python_interop_server.py"),
    "interop-client": helpers.python_peer("python_interop_client.py"),
    "greeter-server": [sys.executable, str(helpers.REPO_ROOT / "Benchmarks" / "peers" / "python_greeter_server.py")],
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--python-peer",
        action="store_true",
        default=False,
        help="harness self-check: replace Isid's executables with the Python stand-ins "
        "(python_interop_server.py, python_interop_client.py, Benchmarks/peers/python_greeter_server.py)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Generate the Python stubs from <repo>/Protos once, before collection
    # imports them.
    try:
        helpers.ensure_generated()
    except RuntimeError as error:
        raise pytest.UsageError(f"cannot generate the Python stubs: {error}") from error


def pytest_report_header(config: pytest.Config) -> list[str]:
    if config.getoption("--python-peer"):
        return ["isid: SELF-CHECK MODE (--python-peer): Python stand-ins replace Isid's executables"]
    return [f"isid: executables from {helpers.BIN_DIR}", f"isid: protos from {helpers.PROTOS_DIR}"]


# -- executables ---------------------------------------------------------------

@pytest.fixture(scope="session")
def python_peer_mode(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("--python-peer"))


@pytest.fixture(scope="session")
def executable(python_peer_mode: bool):
    """``executable(name)`` -> argv prefix of Isid's executable ``name``."""

    def argv_for(name: str) -> list[str]:
        if python_peer_mode:
            return list(STAND_INS[name])
        return [str(helpers.require_binary(name))]

    return argv_for


@contextlib.contextmanager
def running_server(argv: list[str], name: str, **kwargs):
    """Start a contract-following server on 127.0.0.1:0; on exit, SIGTERM it
    and require exit status 0 within the shutdown timeout."""
    process = helpers.ServerProcess(argv, name=name, **kwargs)
    try:
        process.start()
        yield process
        process.stop()
    finally:
        process.ensure_dead()


@pytest.fixture(scope="session")
def server_factory(executable):
    """``with server_factory("greeter-server", env=..., host=..., port=...) as p:``"""

    def start(name: str, **kwargs):
        return running_server(executable(name), name, **kwargs)

    return start


@pytest.fixture(scope="session")
def interop_server(server_factory):
    """Isid's interop-server (or its stand-in), shared by the whole session."""
    with server_factory("interop-server") as process:
        yield process


@pytest.fixture(scope="session")
def greeter_server(server_factory):
    with server_factory("greeter-server") as process:
        yield process


@pytest.fixture
def interop_channel(interop_server):
    """A fresh channel to the interop server, connected (bounded wait)."""
    with helpers.connected_channel(interop_server.address) as channel:
        yield channel


@pytest.fixture(scope="module")
def python_interop_server():
    """The grpcio interop server (python_interop_server.py), in this process,
    on 127.0.0.1 port 0, for Isid's interop-client to run its cases against."""
    import python_interop_server as module

    server = module.InteropServer("127.0.0.1", 0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def interop_client_argv(executable) -> list[str]:
    return executable("interop-client")
