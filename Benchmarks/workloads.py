#!/usr/bin/env python3
"""The Python side of scripts/bench.sh: synthetic data sets, the request bodies h2load sends, the real calls that
check each workload before and after it is measured, and the wall time and peak RSS of a command.

Subcommands:
  synth-indicators SRC DST FACTOR
        a data directory like Data/sdg9 in which every real economy's observation rows are copied, unchanged,
        under FACTOR-1 synthetic economies (3-character codes mixing digits and letters: never an ISO alpha-3
        nor an M49 code; named "Synthetic k of NAME", iso_status "synthetic"); series and aggregates as shipped
  synth-iati SRC DST FACTOR
        an IATI activity file with the activities of SRC FACTOR times: the first copy as shipped, each other
        one with "-SYNTHETIC-k" appended to its identifier and its title marked "Synthetic copy k (benchmark
        data, not real)"
  synth-parity SRC DST FACTOR
        a ParityService seed file with the seed's records FACTOR times: the seed as shipped, then FACTOR-1
        copies of every event (with the example event's panels and placeholder participants), each copy marked
        "example": true, the seed format's mark of made-up records, and titled "Synthetic copy k of ..."
  prepare ADDR OUTDIR WORKLOAD...
        for each workload: one real gRPC call to ADDR (grpcio), its answer checked (status OK, the rows the
        workload expects); writes OUTDIR/WORKLOAD.bin, the gRPC-framed request h2load sends, and prints
        "WORKLOAD ROWS REPLY_BYTES CALL_US": rows in the answer, the bytes of one framed reply (h2load's DATA
        bytes per call), the fastest of three calls in microseconds
  check ADDR OUTDIR WORKLOAD...
        the same calls with the bodies in OUTDIR, printing the same lines (for a comparison after a run)
  prepare-json ADDR PATH
        a JSON GET of PATH (HTTP/1.1) that must answer 200 with an ETag, then the same with If-None-Match that
        must answer 304; prints "BODY_BYTES ETAG CALL_US"
  not-modified METRICS_ADDR
        the gateway's count of 304 answers it gave by itself (isid_gateway_not_modified_total{answered_by=
        "gateway"})
  measure OUTPUT COMMAND...
        runs COMMAND (its stdout and stderr into OUTPUT); prints "WALL_SECONDS PEAK_RSS_KIB" (the peak RSS of
        the command's process tree, from getrusage); fails when the command fails

The calls of prepare, check and prepare-json carry ISID_BENCH_AUTHORIZATION ("Bearer KEY") as their authorization
metadata or header when it is set (bench.sh sets it for the calls through a gateway).

Stubs come from Tests/Interop/helpers.py (generated from Protos/ into the ignored Tests/Interop/.generated).
"""

from __future__ import annotations

import csv
import http.client
import itertools
import json
import os
import re
import resource
import string
import struct
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERIES = "NV_IND_MANF"


# -- synthetic data -----------------------------------------------------------------------------------------------


def synthetic_codes():
    """3-character codes over [0-9A-Z] holding at least one digit and one letter: never an ISO 3166 alpha-3
    code (all letters) nor an M49 code (all digits), and still 3 characters as the importer requires."""
    alphabet = string.digits + string.ascii_uppercase
    for chars in itertools.product(alphabet, repeat=3):
        code = "".join(chars)
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            yield code


def synth_indicators(src: str, dst: str, factor: str) -> None:
    n = int(factor)
    if n < 1:
        sys.exit("synth-indicators: FACTOR must be >= 1")
    os.makedirs(dst, exist_ok=True)
    for name in ("series.csv", "sdg9_other_areas.csv"):
        with open(os.path.join(src, name), "rb") as f, open(os.path.join(dst, name), "wb") as g:
            g.write(f.read())
    with open(os.path.join(src, "economies.csv"), newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        fields = reader.fieldnames
        economies = list(reader)
    codes = synthetic_codes()
    copies: dict[str, list[str]] = {}  # real iso3 -> its synthetic codes
    with open(os.path.join(dst, "economies.csv"), "w", newline="", encoding="utf-8") as g:
        w = csv.DictWriter(g, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(economies)
        for k in range(1, n):
            for row in economies:
                code = next(codes)
                copies.setdefault(row["iso3"], []).append(code)
                syn = dict(row)
                syn.update(iso3=code, iso2="", m49="", name=f"Synthetic {k} of {row['name']}",
                           un_sdg_name=f"Synthetic {k} of {row['un_sdg_name']}", iso_status="synthetic",
                           note="benchmark data, not real")
                w.writerow(syn)
    rows = 0
    with open(os.path.join(src, "sdg9_observations.csv"), newline="", encoding="utf-8") as f, \
            open(os.path.join(dst, "sdg9_observations.csv"), "w", newline="", encoding="utf-8") as g:
        reader = csv.reader(f)
        header = next(reader)
        area = header.index("economy_iso3")
        w = csv.writer(g, lineterminator="\n")
        w.writerow(header)
        real = list(reader)
        w.writerows(real)
        rows += len(real)
        for i in range(n - 1):
            for row in real:
                syn = list(row)
                syn[area] = copies[row[area]][i]
                w.writerow(syn)
            rows += len(real)
    with open(os.path.join(src, "sdg9_other_areas.csv"), encoding="utf-8") as f:
        rows += sum(1 for _ in f) - 1
    print(f"{len(economies) * n} economies, {rows} observations")


def synth_iati(src: str, dst: str, factor: str) -> None:
    n = int(factor)
    if n < 1:
        sys.exit("synth-iati: FACTOR must be >= 1")
    with open(src, encoding="utf-8") as f:
        text = f.read()
    head, rest = text.split("<iati-activity ", 1)
    body, tail = ("<iati-activity " + rest).rsplit("</iati-activities>", 1)
    title = re.compile(r"(<title>\s*<narrative[^>]*>)")
    with open(dst, "w", encoding="utf-8") as out:
        out.write(head)
        out.write(body)
        for k in range(1, n):
            copy = body.replace("</iati-identifier>", f"-SYNTHETIC-{k}</iati-identifier>")
            copy = title.sub(lambda m: f"{m.group(1)}Synthetic copy {k} (benchmark data, not real) of: ", copy)
            out.write(copy)
        out.write("</iati-activities>" + tail)
    print(f"{body.count('<iati-activity ') * n} activities")


def synth_parity(src: str, dst: str, factor: str) -> None:
    n = int(factor)
    if n < 1:
        sys.exit("synth-parity: FACTOR must be >= 1")
    with open(src, encoding="utf-8") as f:
        seed = json.load(f)
    events = list(seed["events"])
    for k in range(1, n):
        for event in seed["events"]:
            copy = json.loads(json.dumps(event))
            copy["title"] = f"Synthetic copy {k} of: {event['title']}"
            copy["description"] = f"Synthetic benchmark data, not a real event (copy {k} of a seed record)."
            copy["example"] = True
            events.append(copy)
    seed["about"] = (f"SYNTHETIC benchmark data, generated by Benchmarks/workloads.py: the seed's records {n} "
                     "times; every copy is marked example (made up).")
    seed["events"] = events
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(seed, f, indent=1)
    panels = sum(len(e.get("panels", [])) for e in events)
    print(f"{len(events)} events, {panels} panels")


# -- the gRPC workloads ------------------------------------------------------------------------------------------


def _protos():
    sys.path.insert(0, os.path.join(REPO_ROOT, "Tests", "Interop"))
    import helpers  # noqa: E402  (the interop suite's stub generation)

    return helpers.load_protos()


def _workloads(P):
    """name -> (method path, request message or a function of a raw call returning one, response type,
    function of the response returning its row count or raising)."""
    ind = P.indicator_service_pb2
    prog = P.programme_service_pb2
    par = P.parity_service_pb2
    indicators = "/isid.indicators.v1.IndicatorService/"

    def expect(condition: bool, what: str) -> None:
        if not condition:
            raise ValueError(what)

    def greeting(r):
        expect(r.message == "Hello world", f"reply {r.message!r}")
        return 1

    def latest(r):
        expect(not r.unchanged and r.revision_token, "no values or no revision token")
        expect(r.values and all(v.series_code == SERIES for v in r.values), "no rows, or rows of another series")
        return len(r.values)

    def latest2(r):
        n = latest(r)
        expect(sorted(v.area_code for v in r.values) == ["BGD", "DEU"], "not the rows of DEU and BGD")
        return n

    def unchanged(r):
        expect(r.unchanged and not r.values, "not answered unchanged")
        return 0

    def page(r):
        expect(len(r.observations) == 1000, f"{len(r.observations)} rows, not a full page of 1000")
        expect(all(o.series_code == SERIES for o in r.observations), "rows of another series")
        return len(r.observations)

    def programmes(r):
        expect(len(r.programmes) > 0, "no programmes")
        return len(r.programmes)

    def summary(r):
        expect(r.total.programme_count > 0, "no programmes summed")
        return r.total.programme_count

    def compliance(r):
        expect(r.total.panels > 0, "no panels in the report")
        return r.total.panels

    latest2_request = ind.GetLatestValuesRequest(series_code=SERIES, area_codes=["DEU", "BGD"])

    def unchanged_request(call):
        first = ind.GetLatestValuesResponse.FromString(call(indicators + "GetLatestValues", latest2_request))
        expect(bool(first.revision_token), "no revision token")
        return ind.GetLatestValuesRequest(series_code=SERIES, area_codes=["DEU", "BGD"],
                                          if_changed_since=first.revision_token)

    return {
        "greeter": ("/helloworld.Greeter/SayHello", P.helloworld_pb2.HelloRequest(name="world"),
                    P.helloworld_pb2.HelloReply, greeting),
        "data-source": (indicators + "GetDataSource", ind.GetDataSourceRequest(), P.indicators_pb2.DataSource,
                        lambda r: 1),
        "latest-2": (indicators + "GetLatestValues", latest2_request, ind.GetLatestValuesResponse, latest2),
        "unchanged": (indicators + "GetLatestValues", unchanged_request, ind.GetLatestValuesResponse, unchanged),
        "latest-all": (indicators + "GetLatestValues", ind.GetLatestValuesRequest(series_code=SERIES),
                       ind.GetLatestValuesResponse, latest),
        "page-1000": (indicators + "QueryObservations",
                      ind.QueryObservationsRequest(series_codes=[SERIES], page_size=1000),
                      ind.QueryObservationsResponse, page),
        "programmes-list": ("/isid.programmes.v1.ProgrammeService/ListProgrammes",
                            prog.ListProgrammesRequest(page_size=50), prog.ListProgrammesResponse, programmes),
        "programmes-country": ("/isid.programmes.v1.ProgrammeService/ListProgrammes",
                               prog.ListProgrammesRequest(country_code="MDA", page_size=50),
                               prog.ListProgrammesResponse, programmes),
        "portfolio-summary": ("/isid.programmes.v1.ProgrammeService/GetPortfolioSummary",
                              prog.GetPortfolioSummaryRequest(), prog.PortfolioSummary, summary),
        "compliance-report": ("/isid.parity.v1.ParityService/GetComplianceReport",
                              par.GetComplianceReportRequest(include_examples=True), par.ComplianceReport, compliance),
    }


def frame(payload: bytes) -> bytes:
    return b"\x00" + struct.pack(">I", len(payload)) + payload


def _unframe(body: bytes) -> bytes:
    if len(body) < 5 or body[0] != 0 or struct.unpack(">I", body[1:5])[0] != len(body) - 5:
        raise ValueError("not one uncompressed gRPC message")
    return body[5:]


def _calls(addr: str, outdir: str, names: list[str], write: bool) -> int:
    import grpc

    P = _protos()
    table = _workloads(P)
    unknown = [n for n in names if n not in table]
    if unknown:
        sys.exit(f"unknown workloads: {', '.join(unknown)} (known: {', '.join(table)})")
    os.makedirs(outdir, exist_ok=True)
    status = 0
    with grpc.insecure_channel(addr) as channel:
        grpc.channel_ready_future(channel).result(timeout=30)

        def call(path: str, request) -> bytes:  # the reply's bytes as they came
            payload = request if isinstance(request, bytes) else request.SerializeToString()
            method = channel.unary_unary(path, request_serializer=None, response_deserializer=None)
            return method(payload, timeout=600, metadata=_authorization())

        for name in names:
            path, request, response_type, rows_of = table[name]
            body_file = os.path.join(outdir, name + ".bin")
            try:
                if write:
                    if callable(request):
                        request = request(call)
                    payload = request.SerializeToString()
                    with open(body_file, "wb") as f:
                        f.write(frame(payload))
                else:
                    with open(body_file, "rb") as f:
                        payload = _unframe(f.read())
                best = None
                for _ in range(3):
                    start = time.perf_counter_ns()
                    reply = call(path, payload)
                    elapsed = (time.perf_counter_ns() - start) // 1000
                    best = elapsed if best is None else min(best, elapsed)
                rows = rows_of(response_type.FromString(reply))
            except grpc.RpcError as error:
                print(f"{name}: {path} at {addr} failed: {error.code()} {error.details()!r}", file=sys.stderr)
                status = 1
                continue
            except ValueError as error:
                print(f"{name}: {path} at {addr}: wrong answer: {error}", file=sys.stderr)
                status = 1
                continue
            print(name, rows, len(frame(reply)), best, flush=True)
    return status


def _authorization() -> list[tuple[str, str]]:
    """The API key of calls through a gateway (ISID_BENCH_AUTHORIZATION, "Bearer KEY"), when the caller sets it."""
    value = os.environ.get("ISID_BENCH_AUTHORIZATION")
    return [("authorization", value)] if value else []


def prepare_json(addr: str, path: str) -> int:
    host, port = addr.rsplit(":", 1)

    def get(headers):
        headers = dict(headers, **dict(_authorization()))
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        start = time.perf_counter_ns()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter_ns() - start) // 1000
        connection.close()
        return response.status, response.getheader("etag"), body, elapsed

    best = None
    for _ in range(3):
        code, etag, body, elapsed = get({})
        if code != 200 or not etag:
            print(f"GET {path}: status {code}, etag {etag!r}: {body[:200]!r}", file=sys.stderr)
            return 1
        best = elapsed if best is None else min(best, elapsed)
    try:
        json.loads(body)
    except ValueError:
        print(f"GET {path}: the answer is not JSON", file=sys.stderr)
        return 1
    code, _, _, _ = get({"if-none-match": etag})
    if code != 304:
        print(f"GET {path} with If-None-Match: status {code}, not 304", file=sys.stderr)
        return 1
    print(len(body), etag, best)
    return 0


def not_modified(addr: str) -> int:
    host, port = addr.rsplit(":", 1)
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("isid_gateway_not_modified_total{") and 'answered_by="gateway"' in line:
            total += float(line.rsplit(" ", 1)[1])
    print(int(total))
    return 0


def measure(output: str, command: list[str]) -> int:
    start = time.perf_counter()
    with open(output, "wb") as out:
        status = subprocess.call(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    if status != 0:
        with open(output, encoding="utf-8", errors="replace") as f:
            sys.stderr.write(f.read()[-4000:])
        print(f"measure: {' '.join(command)} exited with status {status}", file=sys.stderr)
        return 1
    print(f"{wall:.2f} {peak}")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[1], argv[2:]
    if command == "synth-indicators" and len(args) == 3:
        synth_indicators(*args)
    elif command == "synth-iati" and len(args) == 3:
        synth_iati(*args)
    elif command == "synth-parity" and len(args) == 3:
        synth_parity(*args)
    elif command in ("prepare", "check") and len(args) >= 3:
        return _calls(args[0], args[1], args[2:], write=command == "prepare")
    elif command == "prepare-json" and len(args) == 2:
        return prepare_json(*args)
    elif command == "not-modified" and len(args) == 1:
        return not_modified(*args)
    elif command == "measure" and len(args) >= 2:
        return measure(args[0], args[1:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
