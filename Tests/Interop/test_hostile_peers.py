"""Hostile and broken HTTP/2 peers against Isid's interop-server.

Each test starts its own interop-server (so one test's abuse cannot leak into
another's, and the fixture's "SIGTERM -> exit 0" check runs after every
attack), speaks raw HTTP/2 to it over a socket, and asserts the precise
outcome. Frames are built with hyperframe and header blocks with hpack (both
come with ``h2``); where even they refuse to produce the bad input, the bytes
are written by hand. Every wait is bounded.

What "right" means comes from RFC 9113 (HTTP/2) and gRPC's
doc/PROTOCOL-HTTP2.md, cited per test. A test whose expectation the server does
not meet yet is marked ``xfail(strict=True)`` with the reason; the expectation
stays the right one.

In ``--python-peer`` mode these tests are skipped: they probe Isid's transport,
and grpcio's server answers several of them differently but legitimately (RFC
9113 leaves the choice), so they say nothing about the harness.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import gzip
import random
import socket
import struct
import time

import hpack
import pytest
from hyperframe import frame as hf

import helpers

P = helpers.load_protos()

pytestmark = pytest.mark.usefixtures("_isid_only")

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# RFC 9113 §7 error codes.
NO_ERROR = 0x0
PROTOCOL_ERROR = 0x1
INTERNAL_ERROR = 0x2
FLOW_CONTROL_ERROR = 0x3
FRAME_SIZE_ERROR = 0x6
STREAM_CLOSED = 0x5
REFUSED_STREAM = 0x7
CANCEL = 0x8
COMPRESSION_ERROR = 0x9
ENHANCE_YOUR_CALM = 0xB
ERROR_NAMES = {
    0x0: "NO_ERROR", 0x1: "PROTOCOL_ERROR", 0x2: "INTERNAL_ERROR", 0x3: "FLOW_CONTROL_ERROR",
    0x4: "SETTINGS_TIMEOUT", 0x5: "STREAM_CLOSED", 0x6: "FRAME_SIZE_ERROR", 0x7: "REFUSED_STREAM",
    0x8: "CANCEL", 0x9: "COMPRESSION_ERROR", 0xA: "CONNECT_ERROR", 0xB: "ENHANCE_YOUR_CALM",
    0xC: "INADEQUATE_SECURITY", 0xD: "HTTP_1_1_REQUIRED",
}

# RFC 9113 §6.5.2 setting identifiers.
SETTINGS_MAX_CONCURRENT_STREAMS = 0x3
SETTINGS_INITIAL_WINDOW_SIZE = 0x4
SETTINGS_MAX_FRAME_SIZE = 0x5
SETTINGS_MAX_HEADER_LIST_SIZE = 0x6

# Frame types (RFC 9113 §6).
TYPE_DATA, TYPE_HEADERS, TYPE_RST_STREAM, TYPE_SETTINGS, TYPE_PING, TYPE_WINDOW_UPDATE = 0x0, 0x1, 0x3, 0x4, 0x6, 0x8

DEFAULT_MAX_FRAME_SIZE = 16_384
MIB = 1024 * 1024
# gRPC's default receive limit, which Isid's ServerConfiguration also uses.
MAX_RECEIVE_MESSAGE_SIZE = 4 * MIB

# Bounded waits (seconds).
FRAME_TIMEOUT = 10.0
CLOSE_TIMEOUT = 10.0
QUIET_PERIOD = 1.0

SERVICE = "/grpc.testing.TestService/"
EMPTY_CALL = SERVICE + "EmptyCall"
UNARY_CALL = SERVICE + "UnaryCall"
STREAMING_OUTPUT_CALL = SERVICE + "StreamingOutputCall"
FULL_DUPLEX_CALL = SERVICE + "FullDuplexCall"

# Statuses (doc/statuscodes.md).
OK, RESOURCE_EXHAUSTED, UNIMPLEMENTED, INTERNAL = 0, 8, 12, 13

# Resident-set ceiling for the memory cases: far above an idle server (~20 MiB
# release, more under AddressSanitizer) and far below what the attacks would
# cost if the server buffered them.
RSS_LIMIT = 200 * MIB


@pytest.fixture
def _isid_only(python_peer_mode: bool) -> None:
    if python_peer_mode:
        pytest.skip("probes Isid's HTTP/2 transport; grpcio's server legitimately answers some cases differently")


@pytest.fixture
def server(server_factory):
    """A fresh interop-server per test; teardown requires SIGTERM -> exit 0."""
    with server_factory("interop-server") as process:
        yield process


# --------------------------------------------------------------------------
# A raw HTTP/2 client that does exactly what it is told
# --------------------------------------------------------------------------

@dataclasses.dataclass
class StreamState:
    """Everything the server sent on one stream."""

    header_blocks: list[list[tuple[str, str]]] = dataclasses.field(default_factory=list)
    data: bytearray = dataclasses.field(default_factory=bytearray)
    end_stream: bool = False
    reset: int | None = None

    @property
    def done(self) -> bool:
        return self.end_stream or self.reset is not None

    @property
    def http_status(self) -> str | None:
        return dict(self.header_blocks[0]).get(":status") if self.header_blocks else None

    @property
    def trailers(self) -> dict[str, str]:
        """The block that ended the stream (Trailers, or Trailers-Only)."""
        if not (self.end_stream and self.header_blocks):
            return {}
        return dict(self.header_blocks[-1])

    @property
    def grpc_status(self) -> int | None:
        value = self.trailers.get("grpc-status")
        return None if value is None else int(value)

    def messages(self) -> list[bytes]:
        out, view = [], memoryview(bytes(self.data))
        while len(view) >= 5:
            flag, length = struct.unpack(">BI", view[:5])
            assert flag == 0, "the server compressed a response nobody asked to be compressed"
            out.append(bytes(view[5 : 5 + length]))
            view = view[5 + length :]
        assert not view, f"{len(view)} trailing bytes after the last whole message"
        return out

    def describe(self) -> str:
        parts = [f"headers={self.header_blocks}", f"data={len(self.data)}B"]
        if self.end_stream:
            parts.append("END_STREAM")
        if self.reset is not None:
            parts.append(f"RST_STREAM({ERROR_NAMES.get(self.reset, self.reset)})")
        return " ".join(parts)


class RawH2:
    """One client connection that sends whatever bytes a test asks for.

    Receiving is synchronous: ``wait_for`` reads and dispatches frames until a
    condition holds, the connection closes, or a deadline passes. SETTINGS are
    acknowledged (unless ``ack_settings`` is off), PINGs answered, and DATA
    re-opens the flow-control windows (unless ``auto_window_update`` is off).
    """

    def __init__(self, server: helpers.ServerProcess) -> None:
        self.sock = socket.create_connection((server.host, server.port), timeout=FRAME_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.decoder.max_header_list_size = 1 << 20
        self.ack_settings = True
        self.auto_window_update = True
        self.server_settings: dict[int, int] | None = None
        self.unacked_server_settings = 0
        self.settings_acked = False
        self.streams: dict[int, StreamState] = collections.defaultdict(StreamState)
        self.goaway: hf.GoAwayFrame | None = None
        self.closed = False
        self.log: list[str] = []
        self._inbuf = bytearray()
        self._block: tuple[int, bool, bytearray] | None = None
        self._next_stream_id = 1

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self) -> "RawH2":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- sending -------------------------------------------------------------

    def send_raw(self, data: bytes, *, tolerate_close: bool = False) -> None:
        try:
            self.sock.settimeout(FRAME_TIMEOUT)
            self.sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            if not tolerate_close:
                raise
            self.closed = True

    def send(self, *frames: hf.Frame, tolerate_close: bool = False) -> None:
        self.send_raw(b"".join(f.serialize() for f in frames), tolerate_close=tolerate_close)

    def handshake(self, settings: dict[int, int] | None = None, *, ack: bool = True) -> dict[int, int]:
        """Preface + our SETTINGS; waits for the server's SETTINGS (ACKed iff ``ack``)."""
        self.ack_settings = ack
        self.send_raw(PREFACE + hf.SettingsFrame(0, settings=settings or {}).serialize())
        self.wait_for(lambda: self.server_settings is not None, "the server's SETTINGS")
        return self.server_settings

    def ack_pending_settings(self) -> None:
        self.ack_settings = True
        for _ in range(self.unacked_server_settings):
            self.send(hf.SettingsFrame(0, flags=["ACK"]))
        self.unacked_server_settings = 0

    def new_stream_id(self) -> int:
        stream_id = self._next_stream_id
        self._next_stream_id += 2
        return stream_id

    def encode_headers(self, stream_id: int, headers, *, end_stream: bool = False) -> bytes:
        """HEADERS (+ CONTINUATION) frames for one header block, serialised."""
        block = self.encoder.encode(headers)
        chunks = [block[i : i + DEFAULT_MAX_FRAME_SIZE] for i in range(0, len(block), DEFAULT_MAX_FRAME_SIZE)] or [b""]
        out = bytearray()
        for index, chunk in enumerate(chunks):
            flags = []
            if index == len(chunks) - 1:
                flags.append("END_HEADERS")
            if index == 0:
                if end_stream:
                    flags.append("END_STREAM")
                out += hf.HeadersFrame(stream_id, data=chunk, flags=flags).serialize()
            else:
                out += hf.ContinuationFrame(stream_id, data=chunk, flags=flags).serialize()
        return bytes(out)

    def headers(self, headers, *, end_stream: bool = False, stream_id: int | None = None) -> int:
        stream_id = stream_id or self.new_stream_id()
        self.send_raw(self.encode_headers(stream_id, headers, end_stream=end_stream))
        return stream_id

    def data(self, stream_id: int, payload: bytes, *, end_stream: bool = False) -> None:
        chunks = [payload[i : i + DEFAULT_MAX_FRAME_SIZE] for i in range(0, len(payload), DEFAULT_MAX_FRAME_SIZE)] or [b""]
        frames = [hf.DataFrame(stream_id, data=chunk) for chunk in chunks]
        if end_stream:
            frames[-1].flags.add("END_STREAM")
        self.send(*frames)

    def call(self, path: str, message: bytes, *, headers=None) -> StreamState:
        """One whole request (HEADERS, one framed message, END_STREAM); waits for the response's end."""
        stream_id = self.headers(headers or request_headers(path))
        self.data(stream_id, grpc_message(message), end_stream=True)
        return self.wait_for_stream(stream_id)

    # -- receiving -----------------------------------------------------------

    def wait_for(self, condition, what: str, timeout: float = FRAME_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.closed:
                raise AssertionError(f"connection closed while waiting for {what}\n{self.describe()}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {what} within {timeout:.0f} s\n{self.describe()}")
            self._receive(remaining)

    def wait_for_stream(self, stream_id: int, timeout: float = FRAME_TIMEOUT) -> StreamState:
        self.wait_for(lambda: self.streams[stream_id].done, f"end of stream {stream_id}", timeout)
        return self.streams[stream_id]

    def wait_closed(self, timeout: float = CLOSE_TIMEOUT) -> None:
        """Reads until the server closes the connection (EOF or reset)."""
        deadline = time.monotonic() + timeout
        while not self.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"the server did not close the connection within {timeout:.0f} s\n{self.describe()}")
            self._receive(remaining)

    def pump(self, duration: float) -> None:
        """Reads whatever arrives for ``duration`` seconds (or until closed)."""
        deadline = time.monotonic() + duration
        while not self.closed and (remaining := deadline - time.monotonic()) > 0:
            self._receive(remaining)

    def _receive(self, timeout: float) -> None:
        self.sock.settimeout(max(timeout, 0.001))
        try:
            chunk = self.sock.recv(1 << 20)
        except socket.timeout:
            return
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            self.closed = True
            self.log.append("<connection closed by server>")
            return
        self._inbuf += chunk
        while len(self._inbuf) >= 9:
            length = int.from_bytes(self._inbuf[:3], "big")
            if len(self._inbuf) < 9 + length:
                break
            frame, _ = hf.Frame.parse_frame_header(memoryview(bytes(self._inbuf[:9])))
            frame.parse_body(memoryview(bytes(self._inbuf[9 : 9 + length])))
            del self._inbuf[: 9 + length]
            self._dispatch(frame)

    def _dispatch(self, frame: hf.Frame) -> None:
        self.log.append(describe_frame(frame))
        if isinstance(frame, hf.SettingsFrame):
            if "ACK" in frame.flags:
                self.settings_acked = True
                return
            if self.server_settings is None:
                self.server_settings = dict(frame.settings)
            else:
                self.server_settings.update(frame.settings)
            if self.ack_settings:
                self.send(hf.SettingsFrame(0, flags=["ACK"]), tolerate_close=True)
            else:
                self.unacked_server_settings += 1
        elif isinstance(frame, hf.PingFrame):
            if "ACK" not in frame.flags:
                self.send(hf.PingFrame(0, opaque_data=frame.opaque_data, flags=["ACK"]), tolerate_close=True)
        elif isinstance(frame, hf.GoAwayFrame):
            self.goaway = frame
        elif isinstance(frame, hf.RstStreamFrame):
            self.streams[frame.stream_id].reset = frame.error_code
        elif isinstance(frame, hf.DataFrame):
            stream = self.streams[frame.stream_id]
            stream.data += frame.data
            stream.end_stream |= "END_STREAM" in frame.flags
            if self.auto_window_update and frame.flow_controlled_length:
                updates = [hf.WindowUpdateFrame(0, window_increment=frame.flow_controlled_length)]
                if not stream.done:
                    updates.append(hf.WindowUpdateFrame(frame.stream_id, window_increment=frame.flow_controlled_length))
                self.send(*updates, tolerate_close=True)
        elif isinstance(frame, (hf.HeadersFrame, hf.ContinuationFrame)):
            if isinstance(frame, hf.HeadersFrame):
                self._block = (frame.stream_id, "END_STREAM" in frame.flags, bytearray())
            assert self._block is not None and self._block[0] == frame.stream_id, "CONTINUATION out of sequence"
            self._block[2].extend(frame.data)
            if "END_HEADERS" in frame.flags:
                stream_id, end_stream, block = self._block
                self._block = None
                decoded = [(k.decode(), v.decode()) for k, v in self.decoder.decode(bytes(block), raw=True)]
                self.log[-1] += f" {decoded}"
                stream = self.streams[stream_id]
                stream.header_blocks.append(decoded)
                stream.end_stream |= end_stream

    def describe(self, tail: int = 30) -> str:
        lines = self.log[-tail:]
        skipped = len(self.log) - len(lines)
        head = [f"  ... {skipped} earlier frames"] if skipped else []
        return "frames received:\n" + "\n".join(head + [f"  {line}" for line in lines])


def describe_frame(frame: hf.Frame) -> str:
    flags = "|".join(sorted(frame.flags))
    text = f"{type(frame).__name__.removesuffix('Frame').upper()} stream={frame.stream_id}"
    if flags:
        text += f" [{flags}]"
    if isinstance(frame, hf.GoAwayFrame):
        text += (
            f" last_stream_id={frame.last_stream_id} error={ERROR_NAMES.get(frame.error_code, frame.error_code)}"
            f" debug={frame.additional_data!r}"
        )
    elif isinstance(frame, hf.RstStreamFrame):
        text += f" error={ERROR_NAMES.get(frame.error_code, frame.error_code)}"
    elif isinstance(frame, hf.SettingsFrame) and frame.settings:
        text += f" {dict(frame.settings)}"
    elif isinstance(frame, hf.DataFrame):
        text += f" {len(frame.data)}B"
    elif isinstance(frame, hf.WindowUpdateFrame):
        text += f" +{frame.window_increment}"
    return text


def raw_frame(frame_type: int, flags: int, stream_id: int, payload: bytes = b"", *, length: int | None = None) -> bytes:
    """A frame exactly as given, whatever the rules say (hyperframe validates; this does not)."""
    length = len(payload) if length is None else length
    return length.to_bytes(3, "big") + bytes([frame_type, flags]) + stream_id.to_bytes(4, "big") + payload


def request_headers(
    path: str,
    *,
    method: str = "POST",
    content_type: str | None = "application/grpc",
    te: str | None = "trailers",
    user_agent: str | None = "isid-hostile-peer/1.0",
    extra=(),
) -> list[tuple[str, str]]:
    headers = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "127.0.0.1")]
    if te is not None:
        headers.append(("te", te))
    if content_type is not None:
        headers.append(("content-type", content_type))
    if user_agent is not None:
        headers.append(("user-agent", user_agent))
    headers.extend(extra)
    return headers


def grpc_message(payload: bytes, *, compressed: bool = False, length: int | None = None) -> bytes:
    """gRPC's Length-Prefixed-Message; ``length`` may lie."""
    return struct.pack(">BI", int(compressed), len(payload) if length is None else length) + payload


def simple_request(response_size: int = 7) -> bytes:
    return P.messages_pb2.SimpleRequest(response_size=response_size).SerializeToString()


def assert_unary_call_served(stream: StreamState, response_size: int = 7) -> None:
    assert stream.reset is None, stream.describe()
    assert stream.http_status == "200", stream.describe()
    assert stream.grpc_status == OK, stream.describe()
    (message,) = stream.messages()
    assert len(P.messages_pb2.SimpleResponse.FromString(message).payload.body) == response_size


def assert_serves_grpcio(server: helpers.ServerProcess) -> None:
    """A stock grpcio client on a new connection still gets answers."""
    with helpers.connected_channel(server.address) as channel:
        stub = P.test_pb2_grpc.TestServiceStub(channel)
        response = stub.UnaryCall(P.messages_pb2.SimpleRequest(response_size=314), timeout=helpers.RPC_TIMEOUT)
        assert len(response.payload.body) == 314


def rss(server: helpers.ServerProcess) -> int:
    """The server's resident set size in bytes (VmRSS of /proc/PID/status)."""
    with open(f"/proc/{server.proc.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS line")


# --------------------------------------------------------------------------
# Connection-level garbage
# --------------------------------------------------------------------------

def _random_garbage() -> bytes:
    data = random.Random(0x1515).randbytes(64)
    return b"\x00" + data[1:]  # never starts like the preface


GARBAGE = {
    "http1_request": b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    "random_bytes": _random_garbage(),
    "almost_the_preface": PREFACE[:-2] + b"XX",
    # RFC 9113 §3.4: the preface "MUST be followed by a SETTINGS frame".
    "preface_then_ping_not_settings": PREFACE + raw_frame(TYPE_PING, 0, 0, b"\x00" * 8),
}


@pytest.mark.parametrize("garbage", GARBAGE.values(), ids=GARBAGE.keys())
def test_invalid_connection_preface_closes_the_connection(server, garbage):
    """RFC 9113 §3.4: an invalid preface is a connection error of type
    PROTOCOL_ERROR; the GOAWAY MAY be omitted. Other connections are unaffected."""
    with RawH2(server) as peer:
        peer.send_raw(garbage, tolerate_close=True)
        peer.wait_closed()
        if peer.goaway is not None:
            assert peer.goaway.error_code == PROTOCOL_ERROR, peer.describe()
    assert_serves_grpcio(server)


MALFORMED_FRAMES = {
    # §6.1: DATA on stream 0 -> connection error PROTOCOL_ERROR.
    "data_on_stream_0": (raw_frame(TYPE_DATA, 0, 0, b"hello"), PROTOCOL_ERROR),
    # §6.7: PING whose length is not 8 -> connection error FRAME_SIZE_ERROR.
    "ping_of_7_bytes": (raw_frame(TYPE_PING, 0, 0, b"\x00" * 7), FRAME_SIZE_ERROR),
    # §6.5: SETTINGS whose length is not a multiple of 6 -> connection error FRAME_SIZE_ERROR.
    "settings_of_5_bytes": (raw_frame(TYPE_SETTINGS, 0, 0, b"\x00" * 5), FRAME_SIZE_ERROR),
    # §4.2: a frame longer than SETTINGS_MAX_FRAME_SIZE that carries a field block
    # MUST be a connection error FRAME_SIZE_ERROR. Only the 9-byte header is sent.
    "headers_longer_than_max_frame_size": (
        raw_frame(TYPE_HEADERS, 0x4, 101, length=DEFAULT_MAX_FRAME_SIZE + 1),
        FRAME_SIZE_ERROR,
    ),
    # §6.9: a WINDOW_UPDATE of 0 on the connection -> connection error PROTOCOL_ERROR.
    "window_update_of_0_on_stream_0": (raw_frame(TYPE_WINDOW_UPDATE, 0, 0, b"\x00\x00\x00\x00"), PROTOCOL_ERROR),
    # §6.4: RST_STREAM on stream 0 -> connection error PROTOCOL_ERROR.
    "rst_stream_on_stream_0": (raw_frame(TYPE_RST_STREAM, 0, 0, b"\x00\x00\x00\x08"), PROTOCOL_ERROR),
}


@pytest.mark.parametrize("frame,error_code", MALFORMED_FRAMES.values(), ids=MALFORMED_FRAMES.keys())
def test_malformed_frame_mid_connection_is_a_connection_error(server, frame, error_code):
    """After a good call, one malformed frame: GOAWAY with the RFC's error code, then close."""
    with RawH2(server) as peer:
        peer.handshake()
        assert_unary_call_served(peer.call(UNARY_CALL, simple_request()))
        peer.send_raw(frame)
        peer.wait_closed()
        assert peer.goaway is not None, f"no GOAWAY before the close\n{peer.describe()}"
        assert peer.goaway.error_code == error_code, peer.describe()
        assert peer.goaway.last_stream_id == 1, peer.describe()
    assert_serves_grpcio(server)


# --------------------------------------------------------------------------
# Broken gRPC framing inside a well-formed stream
# --------------------------------------------------------------------------

def test_stream_ending_inside_a_message_is_internal(server):
    """A length prefix promising more than the body, then END_STREAM: the
    request ended mid-message, so the call fails with INTERNAL (13)."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = peer.headers(request_headers(UNARY_CALL))
        body = simple_request()
        peer.data(stream_id, grpc_message(body, length=len(body) + 100), end_stream=True)
        stream = peer.wait_for_stream(stream_id)
        assert stream.http_status == "200", stream.describe()
        assert stream.grpc_status == INTERNAL, stream.describe()
        assert stream.data == b"", stream.describe()
        assert_unary_call_served(peer.call(UNARY_CALL, simple_request()))


def test_request_that_does_not_parse_is_internal(server):
    """doc/statuscodes.md: an error parsing the request proto is INTERNAL.
    0xff x 16 is a varint tag that never ends."""
    with RawH2(server) as peer:
        peer.handshake()
        stream = peer.call(UNARY_CALL, b"\xff" * 16)
        assert stream.grpc_status == INTERNAL, stream.describe()
        assert stream.data == b"", stream.describe()
        assert_unary_call_served(peer.call(UNARY_CALL, simple_request()))


def _send_oversized_prefix(peer: RawH2) -> int:
    stream_id = peer.headers(request_headers(UNARY_CALL))
    # Only the 5-byte prefix: no body, no END_STREAM. The stream stays open.
    peer.data(stream_id, struct.pack(">BI", 0, MAX_RECEIVE_MESSAGE_SIZE + 1))
    return stream_id


def test_length_prefix_above_the_receive_limit_is_refused_before_the_body(server):
    """A prefix announcing 4 MiB + 1 is answered RESOURCE_EXHAUSTED (8) at once:
    the server must not wait for (and buffer) a body it will refuse."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = _send_oversized_prefix(peer)
        stream = peer.wait_for_stream(stream_id)
        assert stream.http_status == "200", stream.describe()
        assert stream.grpc_status == RESOURCE_EXHAUSTED, stream.describe()
        assert peer.goaway is None, peer.describe()
        assert_unary_call_served(peer.call(UNARY_CALL, simple_request()))


def test_trailers_before_the_request_ends_are_followed_by_rst_stream_no_error(server):
    """PROTOCOL-HTTP2.md, Early Server Closure: "If a server responds with
    Trailers before the client's END_STREAM, then the server should send
    RST_STREAM with NO_ERROR error code immediately following that HEADERS
    frame" (as grpc-go and grpc-core do), so that the client stops sending and
    the stream is released."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = _send_oversized_prefix(peer)
        stream = peer.wait_for_stream(stream_id)
        assert stream.grpc_status == RESOURCE_EXHAUSTED, stream.describe()
        peer.wait_for(lambda: stream.reset is not None, f"RST_STREAM after the trailers on stream {stream_id}", timeout=3)
        assert stream.reset == NO_ERROR, stream.describe()


@pytest.mark.parametrize("encoding", [None, "identity"], ids=["no_grpc_encoding", "grpc_encoding_identity"])
def test_compressed_flag_without_a_compressing_encoding_is_internal(server, encoding):
    """PROTOCOL-HTTP2.md: "If the Message-Encoding header is omitted then the
    Compressed-Flag must be 0"; a set flag with nothing to decompress with
    is INTERNAL (grpc-go and grpc-core agree)."""
    extra = [] if encoding is None else [("grpc-encoding", encoding)]
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = peer.headers(request_headers(UNARY_CALL, extra=extra))
        peer.data(stream_id, grpc_message(gzip.compress(simple_request()), compressed=True), end_stream=True)
        stream = peer.wait_for_stream(stream_id)
        assert stream.grpc_status == INTERNAL, stream.describe()


def test_unknown_grpc_encoding_is_unimplemented_and_lists_what_is_accepted(server):
    """doc/compression.md: a message compressed with an algorithm the server
    does not support is UNIMPLEMENTED (12), and the response carries
    grpc-accept-encoding with the algorithms it does support."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = peer.headers(request_headers(UNARY_CALL, extra=[("grpc-encoding", "snappy")]))
        peer.data(stream_id, grpc_message(b"\x00" * 8, compressed=True), end_stream=True)
        stream = peer.wait_for_stream(stream_id)
        assert stream.grpc_status == UNIMPLEMENTED, stream.describe()
        accepted = [
            value.strip()
            for block in stream.header_blocks
            for name, values in block
            if name == "grpc-accept-encoding"
            for value in values.split(",")
        ]
        assert "gzip" in accepted, stream.describe()
        assert "snappy" not in accepted, stream.describe()


# --------------------------------------------------------------------------
# Limits the server advertises
# --------------------------------------------------------------------------

def test_header_list_above_max_header_list_size_fails_only_that_stream(server):
    """RFC 9113 §6.5.2/§10.5.1: a header list over the advertised
    SETTINGS_MAX_HEADER_LIST_SIZE may be refused (RST_STREAM, or an error
    response), but the block MUST still be decoded so that HPACK state stays
    in sync: a stream opened before it and one after it (which reuses a
    header the big block put in the dynamic table) both succeed."""
    with RawH2(server) as peer:
        settings = peer.handshake()
        limit = settings.get(SETTINGS_MAX_HEADER_LIST_SIZE)
        assert limit == 16 * 1024, f"advertised SETTINGS: {settings}"

        before = peer.headers(request_headers(UNARY_CALL))
        # Fields of ~2 KiB each are small enough for hpack to index them.
        pads = [(f"x-pad-{i}", f"{i:04d}" + "p" * 2000) for i in range(limit // 2000 + 2)]
        size = sum(len(k) + len(v) + 32 for k, v in request_headers(UNARY_CALL, extra=pads))
        assert size > limit
        big = peer.headers(request_headers(UNARY_CALL, extra=pads))
        # The server must act on the header block alone (no body sent).
        peer.wait_for(lambda: peer.streams[big].done, f"the server's answer to the {size}-byte header list")
        refused = peer.streams[big]
        assert (
            refused.reset not in (None, NO_ERROR)
            or refused.http_status == "431"
            or (refused.grpc_status is not None and refused.grpc_status != OK)
        ), refused.describe()

        after = peer.headers(request_headers(UNARY_CALL, extra=[pads[-1]]))
        for stream_id in (before, after):
            peer.data(stream_id, grpc_message(simple_request()), end_stream=True)
        for stream_id in (before, after):
            assert_unary_call_served(peer.wait_for_stream(stream_id))
        assert peer.goaway is None, peer.describe()


def _open_full_duplex_streams(peer: RawH2, count: int) -> list[int]:
    ids = [peer.new_stream_id() for _ in range(count)]
    peer.send_raw(b"".join(peer.encode_headers(i, request_headers(FULL_DUPLEX_CALL)) for i in ids))
    return ids


def _assert_full_duplex_echo(peer: RawH2, stream_id: int) -> None:
    request = P.messages_pb2.StreamingOutputCallRequest(
        response_parameters=[P.messages_pb2.ResponseParameters(size=11)]
    ).SerializeToString()
    peer.data(stream_id, grpc_message(request), end_stream=True)
    stream = peer.wait_for_stream(stream_id)
    assert stream.grpc_status == OK, stream.describe()
    (message,) = stream.messages()
    assert len(P.messages_pb2.StreamingOutputCallResponse.FromString(message).payload.body) == 11


def _assert_extra_streams_refused(peer: RawH2, admitted: list[int], extra: list[int]) -> None:
    peer.wait_for(
        lambda: all(peer.streams[i].reset is not None for i in extra),
        f"RST_STREAM on the {len(extra)} streams beyond the limit",
    )
    for stream_id in extra:
        # §5.1.2 lets the server choose; §8.7: REFUSED_STREAM tells the client it may retry.
        assert peer.streams[stream_id].reset in (REFUSED_STREAM, PROTOCOL_ERROR), peer.describe()
    peer.pump(QUIET_PERIOD)
    assert peer.goaway is None, peer.describe()
    assert not any(peer.streams[i].done for i in admitted), peer.describe()
    # The admitted streams work, and a finished one frees a slot for a new stream.
    _assert_full_duplex_echo(peer, admitted[0])
    _assert_full_duplex_echo(peer, admitted[-1])
    (replacement,) = _open_full_duplex_streams(peer, 1)
    _assert_full_duplex_echo(peer, replacement)


def test_streams_beyond_max_concurrent_streams_are_refused_and_the_connection_survives(server):
    """RFC 9113 §5.1.2: "An endpoint that receives a HEADERS frame that causes
    its advertised concurrent stream limit to be exceeded MUST treat this as a
    stream error of type PROTOCOL_ERROR or REFUSED_STREAM." The connection and
    the admitted streams must keep working."""
    with RawH2(server) as peer:
        limit = peer.handshake().get(SETTINGS_MAX_CONCURRENT_STREAMS)
        assert limit == 256, peer.server_settings
        # The server's SETTINGS are ACKed (handshake did) before any HEADERS leave.
        admitted = _open_full_duplex_streams(peer, limit)
        extra = _open_full_duplex_streams(peer, 3)
        _assert_extra_streams_refused(peer, admitted, extra)


def test_streams_beyond_max_concurrent_streams_before_the_settings_ack_are_refused(server):
    """The same, by a client that has not yet ACKed the server's SETTINGS (as a
    client that opened streams before the SETTINGS reached it would): the
    extra streams get RST_STREAM(REFUSED_STREAM), the rest work."""
    with RawH2(server) as peer:
        limit = peer.handshake(ack=False).get(SETTINGS_MAX_CONCURRENT_STREAMS)
        assert limit == 256, peer.server_settings
        admitted = _open_full_duplex_streams(peer, limit)
        extra = _open_full_duplex_streams(peer, 3)
        peer.wait_for(lambda: all(peer.streams[i].reset is not None for i in extra), "RST_STREAM on the extra streams")
        assert all(peer.streams[i].reset == REFUSED_STREAM for i in extra), peer.describe()
        peer.ack_pending_settings()
        _assert_extra_streams_refused(peer, admitted, extra)


# Rapid Reset figures (3 rounds of 2,000 HEADERS+RST_STREAM pairs, each on a
# new connection; 2 cores, Debian 12, nghttp2 1.52.0-1+deb12u3). Release build:
# RSS 19.1 MiB before, 20.2 / 20.3 / 20.3 MiB after each round; every round got
# GOAWAY(INTERNAL_ERROR, last_stream_id=2001), i.e. on the 1,001st reset, then
# the close. AddressSanitizer build (scripts/leak-check.sh, 64 MiB quarantine):
# 58.2 MiB before, 83.3 / 97.3 / 116.3 MiB after (the quarantine filling up),
# last_stream_id 2199 / 2133 / 2067 (a slower server, so the limiter refilled).
RAPID_RESET_PAIRS = 2000
RAPID_RESET_ROUNDS = 3


def test_rapid_reset_flood_gets_goaway_and_memory_stays_bounded(server):
    """CVE-2023-44487: streams opened and reset at once, in a burst. The server
    must shed the connection (GOAWAY, then close), stay responsive, and not
    grow its memory with each attack."""
    assert_serves_grpcio(server)
    figures = [("before", rss(server))]
    goaways = []
    for round_ in range(1, RAPID_RESET_ROUNDS + 1):
        with RawH2(server) as peer:
            peer.handshake()
            burst = bytearray()
            for _ in range(RAPID_RESET_PAIRS):
                stream_id = peer.new_stream_id()
                burst += peer.encode_headers(stream_id, request_headers(FULL_DUPLEX_CALL))
                burst += hf.RstStreamFrame(stream_id, error_code=CANCEL).serialize()
            peer.send_raw(bytes(burst), tolerate_close=True)
            peer.wait_closed(timeout=20)
            assert peer.goaway is not None, f"round {round_}: no GOAWAY\n{peer.describe()}"
            # RFC 9113 §7 names ENHANCE_YOUR_CALM for "excessive load"; nghttp2's
            # limiter (1,000 resets, +33/s) sends INTERNAL_ERROR. Either refuses the peer.
            assert peer.goaway.error_code in (ENHANCE_YOUR_CALM, INTERNAL_ERROR), peer.describe()
            assert peer.goaway.last_stream_id < 2 * RAPID_RESET_PAIRS, peer.describe()
            goaways.append(f"{ERROR_NAMES[peer.goaway.error_code]} last_stream_id={peer.goaway.last_stream_id}")
        assert_serves_grpcio(server)
        figures.append((f"after round {round_}", rss(server)))
    summary = ", ".join(f"{label}: {value / MIB:.1f} MiB" for label, value in figures)
    print(f"rapid reset RSS: {summary}; GOAWAYs: {goaways}")
    assert max(value for _, value in figures) < RSS_LIMIT, summary


# --------------------------------------------------------------------------
# HTTP-level requests that are not gRPC, and odd but valid ones
# --------------------------------------------------------------------------

def assert_readable_refusal(stream: StreamState, http_status: str) -> None:
    """A bare HTTP answer a person can read: the status, a plain-text body in a
    DATA frame saying what the port speaks, and the end of the stream."""
    assert stream.http_status == http_status, stream.describe()
    assert stream.end_stream and stream.reset is None, stream.describe()
    assert dict(stream.header_blocks[0]).get("content-type", "").startswith("text/plain"), stream.describe()
    assert b"gRPC" in stream.data and b"application/grpc" in stream.data, stream.describe()
    assert stream.grpc_status is None, stream.describe()


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_method_other_than_post_is_405(server, method):
    """PROTOCOL-HTTP2.md: Method -> ":method POST". grpc-go answers other methods
    with HTTP 405 (Method Not Allowed), as Isid does, with a body saying why."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = peer.headers(request_headers(EMPTY_CALL, method=method), end_stream=True)
        assert_readable_refusal(peer.wait_for_stream(stream_id), "405")


def test_curl_style_get_of_the_root_is_405_with_a_readable_body(server):
    """What curl --http2-prior-knowledge sends: GET / with no content-type."""
    with RawH2(server) as peer:
        peer.handshake()
        headers = [(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "127.0.0.1"),
                   ("user-agent", "curl/7.88.1"), ("accept", "*/*")]
        stream_id = peer.headers(headers, end_stream=True)
        assert_readable_refusal(peer.wait_for_stream(stream_id), "405")
        assert_unary_call_served(peer.call(UNARY_CALL, simple_request()))


@pytest.mark.parametrize(
    "content_type", ["text/plain", None, "application/grpcfoo", "application/json"],
    ids=["text_plain", "missing", "application_grpcfoo", "application_json"],
)
def test_content_type_that_is_not_grpc_is_415(server, content_type):
    """PROTOCOL-HTTP2.md: "If Content-Type does not begin with "application/grpc",
    gRPC servers SHOULD respond with HTTP status of 415"."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = peer.headers(request_headers(UNARY_CALL, content_type=content_type))
        peer.data(stream_id, grpc_message(simple_request()), end_stream=True)
        assert_readable_refusal(peer.wait_for_stream(stream_id), "415")


# --------------------------------------------------------------------------
# Malformed requests after an early answer
# --------------------------------------------------------------------------

def _early_unimplemented_answer(peer: RawH2, extra=()) -> int:
    """Opens a stream to a method that does not exist and waits for the
    Trailers-Only UNIMPLEMENTED that answers it before the request has ended."""
    stream_id = peer.headers(request_headers(SERVICE + "NoSuchMethod", extra=extra))
    peer.wait_for(lambda: peer.streams[stream_id].end_stream, f"the early answer on stream {stream_id}")
    assert peer.streams[stream_id].grpc_status == UNIMPLEMENTED, peer.streams[stream_id].describe()
    return stream_id


def _assert_stream_error_only(peer: RawH2, stream_id: int) -> None:
    peer.wait_for(lambda: peer.streams[stream_id].reset is not None, f"RST_STREAM on stream {stream_id}")
    assert peer.streams[stream_id].reset == PROTOCOL_ERROR, peer.describe()
    assert peer.goaway is None, peer.describe()
    assert_unary_call_served(peer.call(UNARY_CALL, simple_request()))


def test_content_length_that_does_not_match_the_data_is_a_stream_error_after_an_early_answer(server):
    """RFC 9113 §8.1.1: a request whose content-length does not equal the sum of
    its DATA payloads is malformed, a stream error of type PROTOCOL_ERROR, also
    when the server has already answered the stream (its half is closed; the
    client's is not)."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = _early_unimplemented_answer(peer, extra=[("content-length", "100")])
        peer.data(stream_id, grpc_message(b"short"), end_stream=True)
        _assert_stream_error_only(peer, stream_id)


def test_pseudo_header_in_trailers_is_a_stream_error_after_an_early_answer(server):
    """RFC 9113 §8.1: "Pseudo-header fields MUST NOT appear in a trailer section";
    §8.1.1: such a request is malformed (stream error PROTOCOL_ERROR)."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = _early_unimplemented_answer(peer)
        peer.headers([(":path", EMPTY_CALL), ("x-trailer", "1")], end_stream=True, stream_id=stream_id)
        _assert_stream_error_only(peer, stream_id)


def test_trailers_without_end_stream_are_a_stream_error_after_an_early_answer(server):
    """RFC 9113 §8.1: a second HEADERS frame (trailers) that does not end the
    stream makes the request malformed (stream error PROTOCOL_ERROR)."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = _early_unimplemented_answer(peer)
        peer.headers([("x-trailer", "1")], end_stream=False, stream_id=stream_id)
        _assert_stream_error_only(peer, stream_id)


def test_headers_after_the_client_reset_the_stream_are_a_connection_error_stream_closed(server):
    """RFC 9113 §5.1, "closed": an endpoint MAY treat a frame other than
    PRIORITY on a stream closed by RST_STREAM as a connection error of type
    STREAM_CLOSED; nghttp2 does, every time (not a race): GOAWAY, then close.
    Other connections are unaffected."""
    with RawH2(server) as peer:
        peer.handshake()
        stream_id = peer.headers(request_headers(UNARY_CALL))
        peer.send(hf.RstStreamFrame(stream_id, error_code=CANCEL))
        peer.headers(request_headers(UNARY_CALL), stream_id=stream_id, end_stream=True)
        peer.wait_closed()
        assert peer.goaway is not None and peer.goaway.error_code == STREAM_CLOSED, peer.describe()
    assert_serves_grpcio(server)


ODD_BUT_SERVED = {
    "no_te": {"te": None},
    "no_user_agent": {"user_agent": None},
    "utf8_user_agent": {"user_agent": "Mozilla/5.0 (\u2603; odd) \u00fcber-client/\u221e"},
    "4_kib_user_agent": {"user_agent": "x" * 4096},
    "content_type_grpc_proto": {"content_type": "application/grpc+proto"},
    "content_type_grpc_with_parameter": {"content_type": "application/grpc; charset=utf-8"},
}


@pytest.mark.parametrize("options", ODD_BUT_SERVED.values(), ids=ODD_BUT_SERVED.keys())
def test_odd_but_valid_request_headers_are_still_served(server, options):
    """te: trailers exists to detect proxies and user-agent is a recommendation:
    neither is required to serve a call."""
    with RawH2(server) as peer:
        peer.handshake()
        headers = request_headers(UNARY_CALL, **options)
        assert_unary_call_served(peer.call(UNARY_CALL, simple_request(), headers=headers))


@pytest.mark.parametrize("value", ["abc", "123456789S", "1x", "S", "-1S", "1.5S", "1 S"])
def test_malformed_grpc_timeout_is_internal(server, value):
    """PROTOCOL-HTTP2.md: TimeoutValue is a positive integer of at most 8
    digits followed by one of H M S m u n. The spec does not name a status for
    a malformed one; grpc-go answers INTERNAL ("malformed grpc-timeout"), and so
    does Isid."""
    with RawH2(server) as peer:
        peer.handshake()
        headers = request_headers(UNARY_CALL, extra=[("grpc-timeout", value)])
        stream = peer.call(UNARY_CALL, simple_request(), headers=headers)
        assert stream.grpc_status == INTERNAL, stream.describe()


def test_largest_valid_grpc_timeout_is_accepted(server):
    """Eight digits of hours is the longest valid timeout (and overflows int64
    nanoseconds): it must mean "a long time", not an error."""
    with RawH2(server) as peer:
        peer.handshake()
        headers = request_headers(UNARY_CALL, extra=[("grpc-timeout", "99999999H")])
        assert_unary_call_served(peer.call(UNARY_CALL, simple_request(), headers=headers))


# --------------------------------------------------------------------------
# Slow and silent peers
# --------------------------------------------------------------------------

def _grpcio_calls_succeed(server: helpers.ServerProcess) -> None:
    with helpers.connected_channel(server.address) as channel:
        stub = P.test_pb2_grpc.TestServiceStub(channel)
        for _ in range(3):
            response = stub.UnaryCall(P.messages_pb2.SimpleRequest(response_size=MIB), timeout=helpers.RPC_TIMEOUT)
            assert len(response.payload.body) == MIB
        request = P.messages_pb2.StreamingOutputCallRequest(
            response_parameters=[P.messages_pb2.ResponseParameters(size=100_000)] * 10
        )
        sizes = [len(r.payload.body) for r in stub.StreamingOutputCall(request, timeout=helpers.RPC_TIMEOUT)]
        assert sizes == [100_000] * 10


# Backpressure figures (same machine). Release build: RSS 18.9 MiB before the
# call, 21.3 MiB one second into it, 25.5 MiB after 3 s including the grpcio
# calls made beside it (3 x 1 MiB unary responses, 10 x 100 KB streamed); the
# peer got exactly its 1,024-byte window. Under AddressSanitizer: 56.5 / 62.3 /
# 93.5 MiB. Without backpressure the handler would produce 1 GiB.
def test_peer_that_never_reads_suspends_the_handler_and_memory_stays_bounded(server):
    """A server-streaming call asking for 1,000 x 1 MiB, from a peer that
    announces a 1 KiB stream window and never sends WINDOW_UPDATE: the server
    may send only 1 KiB (RFC 9113 §6.9), and the handler must be held by
    backpressure rather than queueing the responses; other clients are served."""
    window = 1024
    request = P.messages_pb2.StreamingOutputCallRequest(
        response_parameters=[P.messages_pb2.ResponseParameters(size=MIB)] * 1000
    ).SerializeToString()
    with RawH2(server) as peer:
        peer.handshake({SETTINGS_INITIAL_WINDOW_SIZE: window})
        peer.auto_window_update = False
        peer.wait_for(lambda: peer.settings_acked, "the server's ACK of our SETTINGS")
        before = rss(server)
        stream_id = peer.headers(request_headers(STREAMING_OUTPUT_CALL))
        peer.data(stream_id, grpc_message(request), end_stream=True)
        peer.wait_for(lambda: len(peer.streams[stream_id].data) >= window, "the first window of response data")
        peer.pump(1.0)
        early = rss(server)
        _grpcio_calls_succeed(server)
        peer.pump(2.0)
        late = rss(server)
        stream = peer.streams[stream_id]
        assert len(stream.data) == window, f"flow control violated: {len(stream.data)} bytes > window {window}"
        assert not stream.done, stream.describe()
        summary = f"before {before / MIB:.1f} MiB, after 1 s {early / MIB:.1f} MiB, after 3 s {late / MIB:.1f} MiB"
        print(f"never-reading peer RSS: {summary}")
        assert late < RSS_LIMIT, summary
        assert late - before < 64 * MIB, summary


SILENT = {
    "tcp_connect_only": b"",
    "half_the_preface": PREFACE[:12],
    "preface_and_half_a_frame": PREFACE + hf.SettingsFrame(0).serialize() + raw_frame(TYPE_HEADERS, 0x4, 1, length=40)[:6],
}


@pytest.mark.parametrize("opening", [*SILENT.values(), None], ids=[*SILENT.keys(), "open_stream_then_nothing"])
def test_silent_peers_do_not_stop_the_server_serving_others(server, opening):
    """Sixteen connections that stop mid-preface, mid-frame, or with a request
    stream open and no body: the server still serves a grpcio client."""
    with contextlib.ExitStack() as stack:
        peers = [stack.enter_context(RawH2(server)) for _ in range(16)]
        for peer in peers:
            if opening is None:
                peer.handshake()
                peer.headers(request_headers(UNARY_CALL))  # no DATA, no END_STREAM, ever
            elif opening:
                peer.send_raw(opening)
        _grpcio_calls_succeed(server)
