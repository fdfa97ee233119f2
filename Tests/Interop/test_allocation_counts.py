"""Allocation guards: heap allocations per call in the server's process, against recorded limits.

As swift-nio's allocation-counter tests do, but from outside the process: ``malloc_counter.c``, compiled by
this module with ``cc`` and preloaded (LD_PRELOAD) into the server, counts every call that allocates (malloc,
calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc, pvalloc) and, apart, every
free, in a file the test reads while the server runs. The client is grpcio in this process, so only the
server is counted.

Workloads (one grpcio channel, one HTTP/2 connection, one call at a time):

* ``greeter.SayHello``: helloworld.Greeter/SayHello on greeter-server, per call;
* ``greeter.StreamingOutputCall message``: one more 1 KiB message of a server-streaming
  grpc.testing.TestService/StreamingOutputCall on greeter-server, per message (calls of 101 messages less
  calls of 1 message, over 100);
* ``indicators.GetLatestValues``: IndicatorService/GetLatestValues(NV_IND_MANF, [DEU, BGD]) on
  indicator-service seeded from Data/sdg9, per call;
* ``gateway.GetLatestValues`` and ``gateway.GetLatestValues anonymous``: the same call through the gateway
  with a reader key and without one (indicators are anonymous reads), counted in the gateway, per call. The
  gateway routes only Isid's services (a helloworld.Greeter route is refused at start-up), so its guard
  proxies IndicatorService.

Each workload is warmed up, then measured in batches; the count per call is the median of the batches, so a
timer that fires during one batch does not move it. The allocations an idle server makes are measured the
same way, in as many windows as batches, each as long as a batch; their median must stay small next to the
batch. What is left unfreed per call is the least of
the batches: memory kept for a while (a new worker thread's caches filling up, a pool growing to its size)
shows in some batches, memory kept by every call in all of them. The counts are deterministic (the same from
run to run) but depend on the code and on the toolchain's runtime: a new Swift release may move them.

Limits: ``allocation_limits.json``. A workload fails when its count, rounded, is above ``limit``, or when
more than ``retained`` allocations per call are left unfreed. A count below ``measured`` only prints a note:
lower the numbers then, so the guard follows the improvement. To rewrite the file from a run's counts
(``limit`` = measured + 2%, at least + 2):

    ISID_ALLOCATION_LIMITS=update python3 -m pytest Tests/Interop/test_allocation_counts.py

The counts are printed in the terminal summary ("allocations per call"). To see where they come from:

    ISID_ALLOCATION_TRACE=20 python3 -m pytest Tests/Interop/test_allocation_counts.py

records the stack of every allocation of one batch per workload and prints the 20 most frequent call sites,
per call, then those of the batch's blocks still allocated at its end (symbols from ``nm``, Swift names
through ``swift-demangle`` when it is on PATH; "~" marks a frame in a stripped library, named after the
nearest exported function before it).

The sanitizer run (scripts/leak-check.sh) leaves this module out: the servers there use AddressSanitizer's
allocator, and a second shim on top of it would count the sanitizer instead.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import json
import math
import os
import shutil
import statistics
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import grpc
import pytest

import gateway_fixtures
import helpers
import indicator_fixtures

P = helpers.load_protos()

SHIM_SOURCE = helpers.HERE / "malloc_counter.c"
LIMITS_FILE = helpers.HERE / "allocation_limits.json"
UPDATE = os.environ.get("ISID_ALLOCATION_LIMITS", "") == "update"
TRACE_TOP = int(os.environ.get("ISID_ALLOCATION_TRACE", "0") or "0")

WARMUP_CALLS = 1000
BATCHES = 5
CALLS_PER_BATCH = 400
STREAM_CALLS_PER_BATCH = 20  # each batch: 20 calls of 101 messages and 20 of 1 message
STREAM_MESSAGES = 101
STREAM_MESSAGE_SIZE = 1024
SETTLE_SECONDS = 0.05
# An idle server's allocations in the time of one batch, per call, must stay below this: above it, the
# median of the batches no longer rounds to the call's own count.
BACKGROUND_LIMIT = 0.25

# Only the grpcio defaults that make the server's work depend on timing are turned off: BDP probes send
# PINGs as the data flows, each answered by the server.
CHANNEL_OPTIONS = [("grpc.http2.bdp_probe", 0)]

# Offsets of the counter file's words (malloc_counter.c).
_ALLOCATIONS, _TRACE_CONTROL = 0, 24
_TRACE_RECORDING, _TRACE_DUMP, _TRACE_DUMPED = 1, 2, 3


@pytest.fixture(scope="module", autouse=True)
def skip_in_python_peer_mode(python_peer_mode):
    if python_peer_mode:
        pytest.skip("allocation counts are about Isid's executables; the Python stand-ins have none")


# -- the counter -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="isid-allocations-") as directory:
        yield Path(directory)


@pytest.fixture(scope="module")
def shim(workdir) -> Path:
    """The counter library, compiled for this run."""
    compiler = os.environ.get("CC", "cc")
    library = workdir / "libmalloc_counter.so"
    command = [compiler, "-shared", "-fPIC", "-O2", "-Wall", "-o", str(library), str(SHIM_SOURCE), "-ldl"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        pytest.fail(f"no C compiler ({compiler}; set CC) to build {SHIM_SOURCE.name}")
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"
    return library


class Counter:
    """The counts of one process running under the shim."""

    def __init__(self, shim: Path, directory: Path, name: str) -> None:
        self.name = name
        self.path = directory / f"{name}.counts"
        self.trace_path = directory / f"{name}.trace"
        self.env = {"LD_PRELOAD": str(shim), "ISID_ALLOC_COUNTER_FILE": str(self.path)}
        if TRACE_TOP:
            self.env["ISID_ALLOC_TRACE_FILE"] = str(self.trace_path)

    def read(self) -> tuple[int, int]:
        """(allocations, frees) so far."""
        with open(self.path, "rb") as file:
            allocations, frees = struct.unpack("<2Q", os.pread(file.fileno(), 16, _ALLOCATIONS))
        return allocations, frees

    def set_trace_control(self, value: int) -> None:
        with open(self.path, "r+b") as file:
            os.pwrite(file.fileno(), struct.pack("<Q", value), _TRACE_CONTROL)

    def trace_control(self) -> int:
        with open(self.path, "rb") as file:
            return struct.unpack("<Q", os.pread(file.fileno(), 8, _TRACE_CONTROL))[0]

    def check_started(self, process: helpers.ServerProcess) -> None:
        """The shim is loaded and counting: starting a server allocates."""
        assert self.path.exists(), (
            f"{self.name}: the allocation counter file was never created; is the shim preloaded?\n"
            f"{process.describe_output()}"
        )
        assert self.read()[0] > 0, f"{self.name}: the allocation counter counted nothing while the server started"


@contextlib.contextmanager
def counted_server(argv: list[str], name: str, counter: Counter, env: dict[str, str] | None = None, **kwargs):
    process = helpers.ServerProcess(argv, name=name, env={**(env or {}), **counter.env}, **kwargs)
    try:
        process.start()
        counter.check_started(process)
        yield process
        process.stop()
    finally:
        process.ensure_dead()


@contextlib.contextmanager
def channel_to(address: str):
    with grpc.insecure_channel(address, options=CHANNEL_OPTIONS) as channel:
        grpc.channel_ready_future(channel).result(timeout=helpers.RPC_TIMEOUT)
        yield channel


# -- measuring -----------------------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Sample:
    allocations: int
    frees: int
    seconds: float

    def __sub__(self, other: "Sample") -> "Sample":
        return Sample(self.allocations - other.allocations, self.frees - other.frees, self.seconds + other.seconds)


def sample(counter: Counter, action) -> Sample:
    before = counter.read()
    started = time.monotonic()
    action()
    seconds = time.monotonic() - started
    after = counter.read()
    return Sample(after[0] - before[0], after[1] - before[1], seconds)


@dataclasses.dataclass(frozen=True)
class Measurement:
    workload: str
    unit: str
    batches: list[float]  # allocations per unit, one per batch
    retained: float  # allocations per unit not freed (the least of the batches)
    background: float  # an idle server's allocations in the time of one batch, per unit

    @property
    def allocations(self) -> float:
        return statistics.median(self.batches)

    @property
    def count(self) -> int:
        return round(self.allocations)


def measure(workload: str, unit: str, counter: Counter, batch, units: int) -> Measurement:
    """``batch()`` does ``units`` units of work and returns their Sample."""
    for _ in range(max(1, math.ceil(WARMUP_CALLS / units))):
        batch()
    samples = [batch() for _ in range(BATCHES)]
    seconds = statistics.median(s.seconds for s in samples)
    # The idle server, in as many windows as batches, each as long as a batch: a timer that fires now and
    # then (the gateway health-checks its upstreams and stats its keys file every 5 s) lands in one window
    # as it lands in one batch, and the median of either does not move.
    idle = sorted(sample(counter, lambda: time.sleep(seconds)).allocations for _ in range(BATCHES))
    measurement = Measurement(
        workload=workload,
        unit=unit,
        batches=[s.allocations / units for s in samples],
        retained=min((s.allocations - s.frees) / units for s in samples),
        background=statistics.median(idle) / units,
    )
    assert measurement.allocations > 0, (
        f"{workload}: the server made no allocation per {unit}: the allocation counter is not counting"
    )
    assert measurement.background < BACKGROUND_LIMIT, (
        f"{workload}: the idle server made {', '.join(map(str, idle))} allocations in windows of {seconds:.2f} s "
        f"(a batch's time), {measurement.background:.2f} per {unit} in the median window: too many for a "
        f"per-{unit} count to mean much"
    )
    return measurement


def unary_batch(counter: Counter, call, calls: int = CALLS_PER_BATCH):
    def batch() -> Sample:
        def run() -> None:
            for _ in range(calls):
                call()
            # The server may free the last call's memory just after its answer has left.
            time.sleep(SETTLE_SECONDS)

        return sample(counter, run)

    return batch


# -- limits, the summary, and updating the limits ------------------------------------------------------------------

def margin(count: int) -> int:
    return max(2, math.ceil(count * 0.02))


def load_limits() -> dict:
    return json.loads(LIMITS_FILE.read_text())


class Report:
    """Collects the measurements; prints them in the terminal summary (and rewrites the limits if asked)."""

    def __init__(self) -> None:
        self.measurements: list[Measurement] = []
        self.notes: list[str] = []
        self.traces: list[str] = []

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.measurements:
            return
        if UPDATE:
            write_limits(self.measurements)
        limits = load_limits()["workloads"]
        terminalreporter.write_sep("-", "allocations per call (test_allocation_counts.py)")
        for m in self.measurements:
            limit = limits.get(m.workload, {}).get("limit", "none")
            batches = " ".join(f"{value:.2f}" for value in m.batches)
            terminalreporter.write_line(
                f"{m.workload:40} {m.count:5d} per {m.unit:7} (limit {limit}; batches {batches}; "
                f"retained {round(m.retained, 2) + 0.0:.2f}; idle background {m.background:.3f})"
            )
        for note in self.notes:
            terminalreporter.write_line(note)
        for trace in self.traces:
            terminalreporter.write_line(trace)
        if UPDATE:
            terminalreporter.write_line(f"rewrote {LIMITS_FILE.name} from these counts")


def write_limits(measurements: list[Measurement]) -> None:
    document = load_limits()
    for m in measurements:
        entry = document["workloads"].setdefault(m.workload, {})
        entry.update({"unit": m.unit, "measured": m.count, "limit": m.count + margin(m.count)})
        entry.setdefault("retained", 0)
    LIMITS_FILE.write_text(json.dumps(document, indent=2) + "\n")


@pytest.fixture(scope="module")
def report(pytestconfig):
    plugin = Report()
    pytestconfig.pluginmanager.register(plugin, "isid-allocation-report")
    return plugin


def check(measurement: Measurement, report: Report) -> None:
    report.measurements.append(measurement)
    if UPDATE:
        return
    workload, unit, count = measurement.workload, measurement.unit, measurement.count
    limits = load_limits()["workloads"]
    assert workload in limits, (
        f"{workload}: no limit in {LIMITS_FILE.name} (measured {count} allocations per {unit}); "
        "ISID_ALLOCATION_LIMITS=update records one"
    )
    entry = limits[workload]
    assert count <= entry["limit"], (
        f"{workload}: {count} allocations per {unit} in the server's process, above the limit of "
        f"{entry['limit']} (recorded: {entry['measured']}; batches: "
        f"{', '.join(f'{value:.2f}' for value in measurement.batches)}). Find the new allocations "
        f"(ISID_ALLOCATION_TRACE=20 prints where they come from), or, if they are meant, raise the limit "
        f"in {LIMITS_FILE.name}"
    )
    retained = round(measurement.retained)
    assert retained <= entry.get("retained", 0), (
        f"{workload}: {retained} allocations per {unit} left unfreed (allowed: {entry.get('retained', 0)}): "
        "something the server keeps grows with every call"
    )
    if count < entry["measured"]:
        report.notes.append(f"{workload}: {count} allocations per {unit}, fewer than the {entry['measured']} "
                            f"recorded: lower measured and limit in {LIMITS_FILE.name}")


# -- call sites (ISID_ALLOCATION_TRACE=N) --------------------------------------------------------------------------

# Frames of the allocator and the runtime's allocation entry points: a stack is shown from the first frame
# after them, with the entry point named as "via".
_PLUMBING_MODULES = ("libswiftCore.so", "libc.so", "libstdc++.so", "libswift_Concurrency.so")


class Symbolizer:
    def __init__(self) -> None:
        self._tables: dict[str, tuple[list[int], list[str]]] = {}
        self._demangled: dict[str, str] = {}

    def _table(self, module: str) -> tuple[list[int], list[str]]:
        """Function symbols of ``module`` by address. A stripped library has only its exported ones: a frame
        in it is named after the nearest exported function before it, marked with "~"."""
        if module not in self._tables:
            entries: list[tuple[int, str]] = []
            for dynamic in ([], ["-D"]):
                try:
                    output = subprocess.run(
                        ["nm", *dynamic, "-C", "--defined-only", "-n", module], capture_output=True, text=True,
                        timeout=120,
                    ).stdout
                except (OSError, subprocess.TimeoutExpired):
                    break
                for line in output.splitlines():
                    parts = line.split(" ", 2)
                    if len(parts) == 3 and parts[1] in "tTwWi":
                        entries.append((int(parts[0], 16), "~" * bool(dynamic) + parts[2]))
                if entries:
                    break
            entries.sort()
            self._tables[module] = ([address for address, _ in entries], [name for _, name in entries])
        return self._tables[module]

    def name(self, frame: str) -> str:
        module, _, offset = frame.rpartition("+0x")
        addresses, names = self._table(module) if module != "?" else ([], [])
        index = bisect.bisect_right(addresses, int(offset, 16)) - 1
        if index < 0:
            return frame
        return names[index]

    def demangle(self, names: set[str]) -> None:
        """Swift names, through swift-demangle (nm -C has done the C++ ones)."""
        pending = sorted(n for n in names if n not in self._demangled)
        tool = shutil.which("swift-demangle")
        if not pending or tool is None:
            self._demangled.update({n: n for n in pending})
            return
        output = subprocess.run([tool, "--simplified", "--compact"], input="\n".join(pending) + "\n",
                                capture_output=True, text=True, timeout=120).stdout.splitlines()
        if len(output) != len(pending):
            output = pending
        self._demangled.update(zip(pending, output))

    def pretty(self, name: str) -> str:
        return self._demangled.get(name, name)


def trace(counter: Counter, workload: str, unit: str, batch, units: int, report: Report) -> None:
    """Records the stacks of one batch's allocations and adds the most frequent to the report, and those of the
    blocks still allocated at the batch's end."""
    if not TRACE_TOP:
        return
    counter.set_trace_control(_TRACE_RECORDING)
    batch()
    counter.set_trace_control(_TRACE_DUMP)
    # The shim writes the stacks at the process's next allocation: one more batch makes sure there is one.
    deadline = time.monotonic() + 30
    while counter.trace_control() != _TRACE_DUMPED:
        assert time.monotonic() < deadline, f"{workload}: the shim wrote no stack report within 30 s"
        batch()
    symbolizer = Symbolizer()
    stacks: list[tuple[int, int, list[str]]] = []
    for line in counter.trace_path.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        count, live, *frames = line.split()
        stacks.append((int(count), int(live), frames))
    named = [(count, live, [(frame, symbolizer.name(frame)) for frame in frames]) for count, live, frames in stacks]
    symbolizer.demangle({name for _, _, frames in named for _, name in frames})
    sites: dict[tuple[str, ...], list[int]] = {}
    for count, live, frames in named:
        via = []
        while frames and any(module in frames[0][0] for module in _PLUMBING_MODULES):
            via.append(frames[0][1])
            frames = frames[1:]
        shown = [symbolizer.pretty(name) for _, name in frames[:6]]
        key = (f"via {symbolizer.pretty(via[-1])}" if via else "direct", *shown)
        totals = sites.setdefault(key, [0, 0])
        totals[0] += count
        totals[1] += live
    total = sum(count for count, _ in sites.values())
    left = sum(live for _, live in sites.values())
    lines = [f"\n== {workload}: {total / units:.2f} allocations per {unit} traced ({left / units:.2f} of them still "
             f"allocated at the end); the {TRACE_TOP} most frequent call sites (per {unit}):"]

    def show(ranked, value) -> None:
        for key, totals in ranked[:TRACE_TOP]:
            lines.append(f"{value(totals) / units:8.2f}  {key[0]}")
            lines.extend(f"          {frame[:160]}" for frame in key[1:])

    show(sorted(sites.items(), key=lambda item: -item[1][0]), lambda totals: totals[0])
    kept = sorted((item for item in sites.items() if item[1][1] > 0), key=lambda item: -item[1][1])
    if kept:
        # A bounded cache that frees an old block for each new one it keeps (nghttp2's closed streams) shows here
        # although it does not grow: these are the batch's own blocks still allocated, not allocations - frees.
        lines.append(f"-- {workload}: blocks allocated in the batch and still allocated at its end (per {unit}):")
        show(kept, lambda totals: totals[1])
    report.traces.append("\n".join(lines))


# -- servers ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def greeter(executable, shim, workdir):
    counter = Counter(shim, workdir, "greeter-server")
    with counted_server(executable("greeter-server"), "greeter-server", counter) as process:
        yield process, counter


@pytest.fixture(scope="module")
def indicators(executable, shim, workdir):
    counter = Counter(shim, workdir, "indicator-service")
    # ISID_RESPONSE_CACHE_MIB=0: the same request over and over would otherwise be answered from the response
    # cache after the first, and the guard would count the cache, not the handler and the database.
    env = {"ISID_API_TOKENS": indicator_fixtures.API_TOKENS, "ISID_IDENTITY_SECRET": gateway_fixtures.IDENTITY_SECRET,
           "ISID_RESPONSE_CACHE_MIB": "0"}
    argv = indicator_fixtures.service_argv(executable, workdir / "indicators.sqlite")
    with counted_server(argv, "indicator-service", counter, env=env,
                        startup_timeout=indicator_fixtures.STARTUP_TIMEOUT) as process:
        yield process, counter


@pytest.fixture(scope="module")
def cached_indicators(executable, shim, workdir):
    """indicator-service as it runs by default: repeated reads answered from the response cache."""
    counter = Counter(shim, workdir, "indicator-service-cached")
    env = {"ISID_API_TOKENS": indicator_fixtures.API_TOKENS}
    argv = indicator_fixtures.service_argv(executable, workdir / "indicators-cached.sqlite")
    with counted_server(argv, "indicator-service", counter, env=env,
                        startup_timeout=indicator_fixtures.STARTUP_TIMEOUT) as process:
        yield process, counter


@pytest.fixture(scope="module")
def gateway(executable, shim, workdir, indicators):
    counter = Counter(shim, workdir, "gateway")
    keys_file = workdir / "keys.json"
    gateway_fixtures.write_keys_file(keys_file)
    argv = [*executable("gateway"), "--keys-file", str(keys_file), "--anonymous-reads", "indicators",
            "--metrics-port", str(helpers.free_port()),
            "--route", f"isid.indicators.v1.IndicatorService={indicators[0].address}"]
    env = {"ISID_IDENTITY_SECRET": gateway_fixtures.IDENTITY_SECRET}
    with counted_server(argv, "gateway", counter, env=env) as process:
        yield process, counter


# -- the guards ----------------------------------------------------------------------------------------------------

def test_greeter_say_hello(greeter, report):
    process, counter = greeter
    with channel_to(process.address) as channel:
        stub = P.helloworld_pb2_grpc.GreeterStub(channel)
        request = P.helloworld_pb2.HelloRequest(name="world")
        assert stub.SayHello(request, timeout=helpers.RPC_TIMEOUT).message == "Hello world"
        batch = unary_batch(counter, lambda: stub.SayHello(request, timeout=helpers.RPC_TIMEOUT))
        measurement = measure("greeter.SayHello", "call", counter, batch, CALLS_PER_BATCH)
        trace(counter, measurement.workload, "call", batch, CALLS_PER_BATCH, report)
    check(measurement, report)


def test_greeter_streamed_message(greeter, report):
    process, counter = greeter
    messages = P.messages_pb2

    def request(count: int):
        return messages.StreamingOutputCallRequest(
            response_parameters=[messages.ResponseParameters(size=STREAM_MESSAGE_SIZE) for _ in range(count)])

    long_call, short_call = request(STREAM_MESSAGES), request(1)
    with channel_to(process.address) as channel:
        stub = P.test_pb2_grpc.TestServiceStub(channel)

        def stream(call_request, expected: int) -> None:
            received = sum(1 for _ in stub.StreamingOutputCall(call_request, timeout=helpers.RPC_TIMEOUT))
            assert received == expected

        stream(long_call, STREAM_MESSAGES)
        long_batch = unary_batch(counter, lambda: stream(long_call, STREAM_MESSAGES), STREAM_CALLS_PER_BATCH)
        short_batch = unary_batch(counter, lambda: stream(short_call, 1), STREAM_CALLS_PER_BATCH)
        units = STREAM_CALLS_PER_BATCH * (STREAM_MESSAGES - 1)
        measurement = measure("greeter.StreamingOutputCall message", "message", counter,
                              lambda: long_batch() - short_batch(), units)
        trace(counter, measurement.workload, "message", long_batch, STREAM_CALLS_PER_BATCH * STREAM_MESSAGES, report)
    check(measurement, report)


GET_LATEST_VALUES = indicator_fixtures.pb.GetLatestValuesRequest(series_code="NV_IND_MANF", area_codes=["DEU", "BGD"])


def latest_values_batch(counter: Counter, channel, metadata=()):
    stub = indicator_fixtures.stub(channel)
    reply = stub.GetLatestValues(GET_LATEST_VALUES, metadata=metadata, timeout=helpers.RPC_TIMEOUT)
    assert {value.area_code for value in reply.values} == {"DEU", "BGD"}, reply
    return unary_batch(counter, lambda: stub.GetLatestValues(GET_LATEST_VALUES, metadata=metadata,
                                                               timeout=helpers.RPC_TIMEOUT))


def test_indicator_get_latest_values(indicators, report):
    process, counter = indicators
    with channel_to(process.address) as channel:
        batch = latest_values_batch(counter, channel)
        measurement = measure("indicators.GetLatestValues", "call", counter, batch, CALLS_PER_BATCH)
        trace(counter, measurement.workload, "call", batch, CALLS_PER_BATCH, report)
    check(measurement, report)


def test_indicator_get_latest_values_cached(cached_indicators, report):
    """The pollers' path: the same question again, answered with the bytes of the first answer."""
    process, counter = cached_indicators
    with channel_to(process.address) as channel:
        batch = latest_values_batch(counter, channel)
        measurement = measure("indicators.GetLatestValues cached", "call", counter, batch, CALLS_PER_BATCH)
        trace(counter, measurement.workload, "call", batch, CALLS_PER_BATCH, report)
    check(measurement, report)


@pytest.mark.parametrize("caller", ["key", "anonymous"])
def test_gateway_get_latest_values(gateway, caller, report):
    process, counter = gateway
    workload = "gateway.GetLatestValues" + (" anonymous" if caller == "anonymous" else "")
    metadata = gateway_fixtures.bearer("reader-key") if caller == "key" else ()
    with channel_to(process.address) as channel:
        batch = latest_values_batch(counter, channel, metadata)
        measurement = measure(workload, "call", counter, batch, CALLS_PER_BATCH)
        trace(counter, workload, "call", batch, CALLS_PER_BATCH, report)
    check(measurement, report)
