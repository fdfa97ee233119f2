"""Shared helpers for the interop suite.

Everything that more than one test module (or one of the stand-alone Python
peers in this directory) needs lives here:

* where the repository, its protos and Isid's executables are;
* generating the Python stubs from ``<repo>/Protos`` with ``grpc_tools.protoc``
  into the git-ignored ``.generated/`` directory, once per change of the protos;
* ``ServerProcess``: runs an executable that follows the server contract
  (``--host``/``--port 0``, one ``listening on HOST:PORT`` line on stdout,
  SIGTERM drains and exits 0) with bounded waits everywhere;
* ``WireObserver``: a passive TCP relay that parses the HTTP/2 frames passing
  through it and records the gRPC message prefix (compressed flag, length) of
  every message in both directions, without changing a byte. grpcio hides the
  per-message compressed flag from applications, so the compression cases use
  this to see what really went over the wire.

Nothing here knows about pytest; the peers import it as plain Python.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import SimpleNamespace

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
PROTOS_DIR = Path(os.environ.get("ISID_PROTOS_DIR", REPO_ROOT / "Protos"))
GENERATED_DIR = HERE / ".generated"
BIN_DIR = Path(os.environ.get("ISID_BIN_DIR", REPO_ROOT / ".build" / "release"))

# Protos we generate Python stubs for. grpc/health/v1/health.proto is
# deliberately absent: grpcio-health-checking already registers the
# grpc.health.v1 symbols in the default descriptor pool (under another file
# name), and registering them twice is an error. Its stubs are used instead.
PROTO_FILES = (
    "grpc/testing/empty.proto",
    "grpc/testing/messages.proto",
    "grpc/testing/test.proto",
    "grpc/reflection/v1/reflection.proto",
    "grpc/examples/helloworld.proto",
    "isid/indicators/v1/indicators.proto",
    "isid/indicators/v1/indicator_service.proto",
    "isid/programmes/v1/programmes.proto",
    "isid/programmes/v1/programme_service.proto",
    "isid/parity/v1/parity.proto",
    "isid/parity/v1/parity_service.proto",
    "isid/gateway/v1/country_profile.proto",
)

# Protos that PROTO_FILES import and that get no stubs of ours: Isid's service protos import
# google/api/annotations.proto (HTTP rules for JSON clients). protoc reads them from PROTOS_DIR; at run time
# the generated modules import google.api.annotations_pb2 and http_pb2 from googleapis-common-protos (a
# grpcio-status dependency), which registers the same files, so generating them again would clash.
IMPORTED_PROTO_FILES = (
    "google/api/annotations.proto",
    "google/api/http.proto",
    "google/rpc/status.proto",
)

# Bounded waits (seconds). Nothing in this suite waits without a limit.
STARTUP_TIMEOUT = 20.0
SHUTDOWN_TIMEOUT = 10.0
RPC_TIMEOUT = 10.0
CLIENT_CASE_TIMEOUT = 30.0

LISTENING_RE = re.compile(r"^listening on (?P<host>\S+):(?P<port>\d+)$")


# --------------------------------------------------------------------------
# Generated stubs
# --------------------------------------------------------------------------

def _protos_fingerprint() -> str:
    import importlib.metadata

    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("grpcio-tools").encode())
    for name in (*PROTO_FILES, *IMPORTED_PROTO_FILES):
        path = PROTOS_DIR / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


# The protos' Python packages (grpc.testing, grpc.reflection.v1, ...) collide
# with grpcio's own ``grpc`` package (which even aliases grpc.reflection and
# grpc.health to grpcio-reflection/-health-checking). The generated modules
# therefore live under a private top-level package, and their imports of each
# other are rewritten to match. The descriptors keep their real file names
# (grpc/testing/test.proto, ...).
GENERATED_PACKAGE = "isid_pb"
_GENERATED_IMPORT_RE = re.compile(r"^(from|import) grpc\.(testing|reflection|examples)\b", re.MULTILINE)
_GENERATED_ISID_IMPORT_RE = re.compile(r"^(from|import) isid\.", re.MULTILINE)


def ensure_generated() -> Path:
    """Generate the Python stubs unless ``.generated/`` is already current.

    Safe to call from several processes at once (an flock serialises them).
    """
    missing = [name for name in (*PROTO_FILES, *IMPORTED_PROTO_FILES) if not (PROTOS_DIR / name).is_file()]
    if missing:
        raise RuntimeError(
            f"protos missing under {PROTOS_DIR}: {', '.join(missing)} "
            "(scripts/generate-protos.sh populates Protos/)"
        )
    GENERATED_DIR.mkdir(parents=True, exist_ok=True)
    stamp = GENERATED_DIR / "STAMP"
    with open(GENERATED_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fingerprint = _protos_fingerprint()
        if stamp.exists() and stamp.read_text() == fingerprint:
            return GENERATED_DIR
        from grpc_tools import protoc
        import importlib.resources

        well_known = str(importlib.resources.files("grpc_tools") / "_proto")
        with tempfile.TemporaryDirectory(dir=GENERATED_DIR) as tmp:
            args = [
                "grpc_tools.protoc",
                f"-I{PROTOS_DIR}",
                f"-I{well_known}",
                f"--python_out={tmp}",
                f"--grpc_python_out={tmp}",
                *PROTO_FILES,
            ]
            if protoc.main(args) != 0:
                raise RuntimeError(f"grpc_tools.protoc failed: {' '.join(args)}")
            out = Path(tmp) / GENERATED_PACKAGE
            out.mkdir()
            (Path(tmp) / "grpc").rename(out / "grpc")
            # Isid's own protos (package isid.*) collide with nothing: they keep their import paths, under
            # the same private package (isid_pb.isid.indicators.v1), imports rewritten to match.
            (Path(tmp) / "isid").rename(out / "isid")
            for directory in [out, *[p for p in out.rglob("*") if p.is_dir()]]:
                (directory / "__init__.py").touch()
            for module in out.rglob("*.py"):
                text = module.read_text()
                text = _GENERATED_IMPORT_RE.sub(rf"\1 {GENERATED_PACKAGE}.grpc.\2", text)
                module.write_text(_GENERATED_ISID_IMPORT_RE.sub(rf"\1 {GENERATED_PACKAGE}.isid.", text))
            target = GENERATED_DIR / GENERATED_PACKAGE
            if target.exists():
                import shutil

                shutil.rmtree(target)
            out.rename(target)
        stamp.write_text(fingerprint)
    return GENERATED_DIR


def load_protos() -> SimpleNamespace:
    """Import the generated modules and return them as one namespace."""
    ensure_generated()
    if str(GENERATED_DIR) not in sys.path:
        sys.path.insert(0, str(GENERATED_DIR))
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from isid_pb.grpc.examples import helloworld_pb2, helloworld_pb2_grpc
    from isid_pb.grpc.reflection.v1 import reflection_pb2, reflection_pb2_grpc
    from isid_pb.grpc.testing import empty_pb2, messages_pb2, test_pb2, test_pb2_grpc
    from isid_pb.isid.indicators.v1 import (
        indicator_service_pb2,
        indicator_service_pb2_grpc,
        indicators_pb2,
    )
    from isid_pb.isid.programmes.v1 import (
        programme_service_pb2,
        programme_service_pb2_grpc,
        programmes_pb2,
    )
    from isid_pb.isid.parity.v1 import (
        parity_pb2,
        parity_service_pb2,
        parity_service_pb2_grpc,
    )
    from isid_pb.isid.gateway.v1 import country_profile_pb2, country_profile_pb2_grpc

    return SimpleNamespace(
        empty_pb2=empty_pb2,
        messages_pb2=messages_pb2,
        test_pb2=test_pb2,
        test_pb2_grpc=test_pb2_grpc,
        reflection_v1_pb2=reflection_pb2,
        reflection_v1_pb2_grpc=reflection_pb2_grpc,
        helloworld_pb2=helloworld_pb2,
        helloworld_pb2_grpc=helloworld_pb2_grpc,
        health_pb2=health_pb2,
        health_pb2_grpc=health_pb2_grpc,
        indicators_pb2=indicators_pb2,
        indicator_service_pb2=indicator_service_pb2,
        indicator_service_pb2_grpc=indicator_service_pb2_grpc,
        programmes_pb2=programmes_pb2,
        programme_service_pb2=programme_service_pb2,
        programme_service_pb2_grpc=programme_service_pb2_grpc,
        parity_pb2=parity_pb2,
        parity_service_pb2=parity_service_pb2,
        parity_service_pb2_grpc=parity_service_pb2_grpc,
        country_profile_pb2=country_profile_pb2,
        country_profile_pb2_grpc=country_profile_pb2_grpc,
    )


# --------------------------------------------------------------------------
# Executables
# --------------------------------------------------------------------------

def binary_path(name: str) -> Path:
    return BIN_DIR / name


def require_binary(name: str) -> Path:
    """Path of one of Isid's executables; raises if it was not built.

    A missing binary is a failure, never a skip: CI must not pass silently.
    """
    path = binary_path(name)
    if not (path.is_file() and os.access(path, os.X_OK)):
        raise FileNotFoundError(
            f"{path} does not exist or is not executable; build it first "
            "(swift build -c release), point ISID_BIN_DIR at the build "
            "products, or run the harness self-check with --python-peer"
        )
    return path


def python_peer(script: str) -> list[str]:
    """argv for one of the Python stand-ins that live next to this file."""
    return [sys.executable, str(HERE / script)]


class ServerProcess:
    """An executable that follows the server contract.

    ``start()`` runs it with ``--host 127.0.0.1 --port 0`` (unless told
    otherwise) and waits at most ``startup_timeout`` for its
    ``listening on HOST:PORT`` line. ``stop()`` sends SIGTERM and waits at most
    ``shutdown_timeout`` for exit status 0; on timeout the process is killed
    with SIGKILL and an error raised.
    """

    def __init__(
        self,
        argv: list[str],
        *,
        name: str | None = None,
        host: str | None = "127.0.0.1",
        port: str | None = "0",
        env: dict[str, str] | None = None,
        startup_timeout: float = STARTUP_TIMEOUT,
        shutdown_timeout: float = SHUTDOWN_TIMEOUT,
    ) -> None:
        self.argv = list(argv)
        if host is not None:
            self.argv += ["--host", host]
        if port is not None:
            self.argv += ["--port", port]
        self.name = name or Path(argv[0]).name
        self.env = env
        self.startup_timeout = startup_timeout
        self.shutdown_timeout = shutdown_timeout
        self.proc: subprocess.Popen[str] | None = None
        self.host: str | None = None
        self.port: int | None = None
        self.listening_line: str | None = None
        self.stdout_lines: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._stderr_file = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        self.returncode: int | None = None
        self._terminated = False

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> "ServerProcess":
        env = dict(os.environ)
        if self.env is not None:
            env.update(self.env)
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr_file,
            text=True,
            env=env,
            start_new_session=True,
        )
        self._stdout_thread = threading.Thread(target=self._pump_stdout, daemon=True)
        self._stdout_thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self._kill()
                raise TimeoutError(
                    f"{self.name} printed no 'listening on HOST:PORT' line within "
                    f"{self.startup_timeout:.0f} s\n{self.describe_output()}"
                )
            try:
                line = self._lines.get(timeout=min(remaining, 0.2))
            except queue.Empty:
                if self.proc.poll() is not None and self._lines.empty():
                    self.returncode = self.proc.returncode
                    raise RuntimeError(
                        f"{self.name} exited with status {self.proc.returncode} before "
                        f"listening\n{self.describe_output()}"
                    )
                continue
            if line is None:  # stdout closed
                self.proc.wait(timeout=self.shutdown_timeout)
                self.returncode = self.proc.returncode
                raise RuntimeError(
                    f"{self.name} closed stdout (status {self.proc.returncode}) before "
                    f"listening\n{self.describe_output()}"
                )
            match = LISTENING_RE.match(line)
            if match:
                self.listening_line = line
                self.host = match["host"]
                self.port = int(match["port"])
                return self

    def stop(self) -> int:
        """SIGTERM, then wait (bounded). Raises unless the exit status is 0."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout=self.shutdown_timeout)
            except subprocess.TimeoutExpired:
                self._kill()
                raise TimeoutError(
                    f"{self.name} did not exit within {self.shutdown_timeout:.0f} s of "
                    f"SIGTERM; killed with SIGKILL\n{self.describe_output()}"
                ) from None
        self.returncode = self.proc.returncode
        self._stdout_thread.join(timeout=5)
        if self.returncode != 0:
            raise RuntimeError(
                f"{self.name} exited with status {self.returncode} after SIGTERM "
                f"(expected 0)\n{self.describe_output()}"
            )
        return self.returncode

    def terminate(self) -> None:
        """Send SIGTERM, once: a second one could mean "stop draining, now"."""
        assert self.proc is not None
        if not self._terminated and self.proc.poll() is None:
            self._terminated = True
            self.proc.send_signal(signal.SIGTERM)

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)

    def ensure_dead(self) -> None:
        """Last-resort cleanup: never leave the process behind."""
        self._kill()

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.stop()
        finally:
            self.ensure_dead()

    # -- output ------------------------------------------------------------

    def _pump_stdout(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.rstrip("\r\n")
            self.stdout_lines.append(line)
            self._lines.put(line)
        self._lines.put(None)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def stderr_text(self) -> str:
        self._stderr_file.flush()
        self._stderr_file.seek(0)
        return self._stderr_file.read()

    def describe_output(self, tail: int = 40) -> str:
        stderr = self.stderr_text().splitlines()[-tail:]
        stdout = self.stdout_lines[-tail:]
        return (
            f"command: {' '.join(self.argv)}\n"
            f"--- stdout (last {tail} lines) ---\n" + "\n".join(stdout) + "\n"
            f"--- stderr (last {tail} lines) ---\n" + "\n".join(stderr)
        )


@contextlib.contextmanager
def connected_channel(address: str):
    """An insecure grpcio channel to ``address``, connected within RPC_TIMEOUT."""
    import grpc

    with grpc.insecure_channel(address) as channel:
        grpc.channel_ready_future(channel).result(timeout=RPC_TIMEOUT)
        yield channel


def free_port() -> int:
    """A loopback port that was free a moment ago (for env-var tests only)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def print_listening_line(host: str, port: int) -> None:
    """The contract's readiness line, for the Python stand-ins."""
    print(f"listening on {host}:{port}", flush=True)


def sigterm_event() -> threading.Event:
    """An Event set by SIGTERM/SIGINT. Install it *before* printing the
    listening line: a SIGTERM that arrives in between would otherwise kill the
    process with the default action (status -15 instead of 0)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


def wait_and_stop(server, stop: threading.Event, grace: float = 5.0) -> None:
    """Block until ``stop`` is set, then stop ``server`` (a grpc.Server),
    letting in-flight calls finish within ``grace`` seconds."""
    while not stop.wait(0.5):
        pass
    server.stop(grace).wait(grace + 1)


# --------------------------------------------------------------------------
# Wire observer: see the gRPC compressed flag grpcio hides from us
# --------------------------------------------------------------------------

CLIENT_TO_SERVER = "client->server"
SERVER_TO_CLIENT = "server->client"
_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_FRAME_DATA = 0x0
_FLAG_PADDED = 0x8


@dataclasses.dataclass(frozen=True)
class WireMessage:
    direction: str
    connection: int
    stream_id: int
    compressed: bool
    length: int


class _StreamMessages:
    __slots__ = ("prefix", "remaining")

    def __init__(self) -> None:
        self.prefix = bytearray()
        self.remaining = 0


class _DirectionParser:
    """Incremental HTTP/2 frame parser for one direction of one connection."""

    def __init__(self, observer: "WireObserver", direction: str, connection: int) -> None:
        self.observer = observer
        self.direction = direction
        self.connection = connection
        self.buffer = bytearray()
        self.preface_pending = direction == CLIENT_TO_SERVER
        self.streams: dict[int, _StreamMessages] = {}
        self.broken = False

    def feed(self, data: bytes) -> None:
        if self.broken:
            return
        self.buffer += data
        if self.preface_pending:
            if len(self.buffer) < len(_PREFACE):
                return
            if bytes(self.buffer[: len(_PREFACE)]) != _PREFACE:
                self.broken = True  # not HTTP/2 prior knowledge; just relay
                return
            del self.buffer[: len(_PREFACE)]
            self.preface_pending = False
        while len(self.buffer) >= 9:
            length = int.from_bytes(self.buffer[0:3], "big")
            if len(self.buffer) < 9 + length:
                return
            frame_type = self.buffer[3]
            flags = self.buffer[4]
            stream_id = int.from_bytes(self.buffer[5:9], "big") & 0x7FFFFFFF
            payload = bytes(self.buffer[9 : 9 + length])
            del self.buffer[: 9 + length]
            if frame_type == _FRAME_DATA:
                if flags & _FLAG_PADDED and payload:
                    pad = payload[0]
                    payload = payload[1 : len(payload) - pad]
                self._data(stream_id, payload)

    def _data(self, stream_id: int, payload: bytes) -> None:
        state = self.streams.setdefault(stream_id, _StreamMessages())
        view = memoryview(payload)
        while view:
            if state.remaining:
                take = min(state.remaining, len(view))
                state.remaining -= take
                view = view[take:]
                continue
            need = 5 - len(state.prefix)
            state.prefix += view[:need]
            view = view[need:]
            if len(state.prefix) == 5:
                flag = state.prefix[0]
                length = int.from_bytes(state.prefix[1:5], "big")
                state.prefix.clear()
                state.remaining = length
                self.observer._record(
                    WireMessage(self.direction, self.connection, stream_id, bool(flag & 1), length)
                )


class WireObserver:
    """Relay 127.0.0.1:<port> -> upstream, recording every gRPC message prefix.

    Bytes are forwarded unchanged, in both directions; parsing happens before a
    chunk is forwarded, so by the time the peer has a message, its record
    exists.
    """

    def __init__(
        self, upstream_host: str, upstream_port: int, listen_host: str = "127.0.0.1", listen_port: int = 0
    ) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server((listen_host, listen_port))
        self.host = listen_host
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._messages: list[WireMessage] = []
        self._sockets: list[socket.socket] = []
        self._closed = False
        self._connections = 0
        threading.Thread(target=self._accept_loop, daemon=True).start()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _record(self, message: WireMessage) -> None:
        with self._lock:
            self._messages.append(message)

    def messages(self, direction: str | None = None) -> list[WireMessage]:
        with self._lock:
            return [m for m in self._messages if direction in (None, m.direction)]

    def mark(self) -> int:
        """An index to pass to ``messages_since``."""
        with self._lock:
            return len(self._messages)

    def messages_since(self, mark: int, direction: str | None = None) -> list[WireMessage]:
        with self._lock:
            return [m for m in self._messages[mark:] if direction in (None, m.direction)]

    def last(self, direction: str) -> WireMessage | None:
        with self._lock:
            for message in reversed(self._messages):
                if message.direction == direction:
                    return message
        return None

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                downstream, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
                upstream.settimeout(None)
            except OSError:
                downstream.close()
                continue
            for sock in (downstream, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._connections += 1
                connection = self._connections
                self._sockets += [downstream, upstream]
            for src, dst, direction in (
                (downstream, upstream, CLIENT_TO_SERVER),
                (upstream, downstream, SERVER_TO_CLIENT),
            ):
                parser = _DirectionParser(self, direction, connection)
                threading.Thread(target=self._pump, args=(src, dst, parser), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, parser: _DirectionParser) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                parser.feed(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def __enter__(self) -> "WireObserver":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
