#!/usr/bin/env python3
"""Open N HTTP/2 connections, complete one call on each, then hold them idle.

Usage: idle_connections.py HOST:PORT N (--grpc PATH BODY_FILE | --get PATH)

Each connection sends the client preface and SETTINGS, then one request on
stream 1: with --grpc a POST of BODY_FILE (a framed gRPC message) with
content-type application/grpc and te: trailers, with --get a plain GET. A
connection counts once stream 1 has ended (END_STREAM from the server) with
DATA received and no RST_STREAM or GOAWAY. SETTINGS and PING are acknowledged
for as long as the connection is held.

Prints "holding N connections" on stdout once all N are established, then
holds them until SIGTERM, SIGINT or end of stdin, and closes them. Exits 1 if
any connection fails. Only the standard library; HPACK literals without
indexing or Huffman coding, which every HTTP/2 server must accept.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import struct
import sys

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, RST_STREAM, SETTINGS, PING, GOAWAY = 0x0, 0x1, 0x3, 0x4, 0x6, 0x7
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4
CONCURRENT_HANDSHAKES = 50
HANDSHAKE_TIMEOUT = 20.0


def frame(kind: int, flags: int, stream: int, payload: bytes = b"") -> bytes:
    return struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) + struct.pack(">I", stream) + payload


def literal(name: str, value: str) -> bytes:
    n, v = name.encode(), value.encode()
    assert len(n) < 127 and len(v) < 127
    return b"\x00" + bytes([len(n)]) + n + bytes([len(v)]) + v


class Connection:
    def __init__(self, host: str, port: int, request: bytes):
        self.host, self.port, self.request = host, port, request
        self.writer: asyncio.StreamWriter | None = None
        self.done = asyncio.Event()
        self.error: str | None = None
        self.data_bytes = 0
        self.reader_task: asyncio.Task | None = None

    async def open(self) -> None:
        reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(self.request)
        self.reader_task = asyncio.ensure_future(self.read_frames(reader))
        await asyncio.wait_for(self.done.wait(), HANDSHAKE_TIMEOUT)
        if self.error:
            raise RuntimeError(self.error)

    async def read_frames(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                head = await reader.readexactly(9)
                length = int.from_bytes(head[:3], "big")
                kind, flags = head[3], head[4]
                stream = int.from_bytes(head[5:9], "big") & 0x7FFFFFFF
                payload = await reader.readexactly(length) if length else b""
                if kind == SETTINGS and not flags & ACK:
                    self.writer.write(frame(SETTINGS, ACK, 0))
                elif kind == PING and not flags & ACK:
                    self.writer.write(frame(PING, ACK, 0, payload))
                elif kind == GOAWAY:
                    self.fail(f"GOAWAY (error code {int.from_bytes(payload[4:8], 'big')})")
                    return
                elif kind == RST_STREAM and stream == 1:
                    self.fail(f"RST_STREAM (error code {int.from_bytes(payload[:4], 'big')})")
                    return
                elif kind == DATA and stream == 1:
                    self.data_bytes += length
                if stream == 1 and kind in (DATA, HEADERS) and flags & END_STREAM:
                    if self.data_bytes == 0:
                        self.fail("stream 1 ended without DATA")
                    self.done.set()
        except (asyncio.IncompleteReadError, ConnectionError) as error:
            self.fail(f"connection closed: {error!r}")

    def fail(self, message: str) -> None:
        if not self.done.is_set():
            self.error = message
            self.done.set()

    def close(self) -> None:
        if self.reader_task:
            self.reader_task.cancel()
        if self.writer:
            self.writer.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="HOST:PORT")
    parser.add_argument("count", type=int)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--grpc", nargs=2, metavar=("PATH", "BODY_FILE"))
    group.add_argument("--get", metavar="PATH")
    args = parser.parse_args()
    host, _, port = args.target.rpartition(":")

    fields = [(":scheme", "http"), (":authority", args.target)]
    if args.grpc:
        path, body_file = args.grpc
        with open(body_file, "rb") as f:
            body = f.read()
        fields = [(":method", "POST"), (":path", path)] + fields + [
            ("content-type", "application/grpc"), ("te", "trailers")]
        block = b"".join(literal(n, v) for n, v in fields)
        request = frame(HEADERS, END_HEADERS, 1, block) + frame(DATA, END_STREAM, 1, body)
    else:
        fields = [(":method", "GET"), (":path", args.get)] + fields
        block = b"".join(literal(n, v) for n, v in fields)
        request = frame(HEADERS, END_HEADERS | END_STREAM, 1, block)
    request = PREFACE + frame(SETTINGS, 0, 0) + request

    connections = [Connection(host, int(port), request) for _ in range(args.count)]
    gate = asyncio.Semaphore(CONCURRENT_HANDSHAKES)

    async def open_one(connection: Connection) -> None:
        async with gate:
            await connection.open()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        results = await asyncio.gather(*(open_one(c) for c in connections), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            print(f"idle_connections: {len(failures)} of {args.count} connections failed, "
                  f"first: {failures[0]!r}", file=sys.stderr)
            return 1
        print(f"holding {args.count} connections", flush=True)
        stdin_closed = asyncio.Event()
        loop.add_reader(sys.stdin.fileno(), stdin_closed.set)
        await asyncio.wait([asyncio.ensure_future(stop.wait()), asyncio.ensure_future(stdin_closed.wait())],
                           return_when=asyncio.FIRST_COMPLETED)
        for c in connections:
            if c.error:
                print(f"idle_connections: a held connection failed: {c.error}", file=sys.stderr)
                return 1
        return 0
    finally:
        for c in connections:
            c.close()
        await asyncio.sleep(0)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
