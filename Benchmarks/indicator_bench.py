#!/usr/bin/env python3
"""Helper of Benchmarks/indicator_bench.sh (IndicatorService benchmark).

Subcommands:
  synth SRC DST FACTOR     write a synthetic data directory: the shipped CSVs, with every real economy's
                           observation rows copied under FACTOR-1 synthetic economies (aggregates unchanged)
  stubs PROTOS OUT         generate the Python stubs of isid/indicators/v1 into OUT (grpc_tools.protoc)
  bodies OUT               write the gRPC-framed request bodies used by h2load into OUT (needs stubs on sys.path)
  check ADDR CALL          make one real grpcio call CALL (a body name), check OK and non-empty, print
                           "ROWS BYTES" (BYTES = one framed reply message, for h2load's DATA-bytes check)
  table RESULTS [--write DOC]
                           print the results table; with --write, put it into DOC between the markers
"""
import csv
import itertools
import os
import string
import struct
import subprocess
import sys

SERIES = "NV_IND_MANF"
BEGIN = "<!-- indicators:begin -->"
END = "<!-- indicators:end -->"

# The calls measured: name -> (method, request builder).
def _calls(pb):
    return {
        "latest-all": ("GetLatestValues", pb.GetLatestValuesRequest(series_code=SERIES)),
        "latest-2": ("GetLatestValues", pb.GetLatestValuesRequest(series_code=SERIES, area_codes=["DEU", "BGD"])),
        "query-page": ("QueryObservations", pb.QueryObservationsRequest(series_codes=[SERIES], page_size=1000)),
    }


def synthetic_codes():
    """3-character codes over [0-9A-Z] holding at least one digit and one letter: never an ISO 3166 alpha-3
    code (all letters) nor an M49 code (all digits), and still 3 characters as the importer requires."""
    alphabet = string.digits + string.ascii_uppercase
    for chars in itertools.product(alphabet, repeat=3):
        code = "".join(chars)
        if any(c.isdigit() for c in code) and any(c.isalpha() for c in code):
            yield code


def synth(src, dst, factor):
    factor = int(factor)
    if factor < 1:
        sys.exit("synth: FACTOR must be >= 1")
    os.makedirs(dst, exist_ok=True)
    for name in ("series.csv", "sdg9_other_areas.csv"):
        with open(os.path.join(src, name), "rb") as f, open(os.path.join(dst, name), "wb") as g:
            g.write(f.read())
    with open(os.path.join(src, "economies.csv"), newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        econ_fields = reader.fieldnames
        economies = list(reader)
    codes = synthetic_codes()
    copies = {}  # real iso3 -> [synthetic codes]
    with open(os.path.join(dst, "economies.csv"), "w", newline="", encoding="utf-8") as g:
        w = csv.DictWriter(g, fieldnames=econ_fields, lineterminator="\n")
        w.writeheader()
        for row in economies:
            w.writerow(row)
        for k in range(1, factor):
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
        for row in real:
            w.writerow(row)
            rows += 1
        for i in range(factor - 1):
            for row in real:
                syn = list(row)
                syn[area] = copies[row[area]][i]
                w.writerow(syn)
                rows += 1
    with open(os.path.join(src, "sdg9_other_areas.csv"), encoding="utf-8") as f:
        rows += sum(1 for _ in f) - 1
    print(f"{len(economies) * factor} economies, {rows} observations")


def stubs(protos, out):
    os.makedirs(out, exist_ok=True)
    from grpc_tools import protoc
    import grpc_tools
    include = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    files = [os.path.join("isid/indicators/v1", n) for n in sorted(os.listdir(os.path.join(protos, "isid/indicators/v1")))
             if n.endswith(".proto")]
    rc = protoc.main(["protoc", f"-I{protos}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}"] + files)
    if rc != 0:
        sys.exit(f"stubs: protoc failed ({rc})")


def _pb():
    from isid.indicators.v1 import indicator_service_pb2 as pb
    return pb


def frame(payload):
    return b"\x00" + struct.pack(">I", len(payload)) + payload


def bodies(out):
    os.makedirs(out, exist_ok=True)
    for name, (_, request) in _calls(_pb()).items():
        with open(os.path.join(out, name + ".bin"), "wb") as f:
            f.write(frame(request.SerializeToString()))


def check(addr, call):
    import grpc
    from isid.indicators.v1 import indicator_service_pb2_grpc as rpc
    method, request = _calls(_pb())[call]
    with grpc.insecure_channel(addr) as channel:
        reply = getattr(rpc.IndicatorServiceStub(channel), method)(request, timeout=30)
    rows = list(reply.values) if method == "GetLatestValues" else list(reply.observations)
    if not rows:
        sys.exit(f"check: {method} ({call}) returned no rows")
    if any(r.series_code != SERIES for r in rows):
        sys.exit(f"check: {method} ({call}) returned rows of another series")
    print(len(rows), len(frame(reply.SerializeToString())))


COLUMNS = [("data", "data"), ("call", "call"), ("rows", "rows/reply"), ("load", "h2load"), ("rps", "calls/s"),
           ("mean_ms", "mean ms"), ("cpu_us", "server CPU µs/call"), ("rss_mib", "peak RSS MiB")]


def table(results, write=None):
    recs = []
    meta = []
    with open(results, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "data":
                meta.append(parts[1:])
            elif parts[0] == "run":
                recs.append(dict(zip([c for c, _ in COLUMNS], parts[1:])))
    lines = ["| data | observations | import s | database MiB | idle RSS MiB (loaded) |",
             "| --- | --- | --- | --- | --- |"]
    for m in meta:
        lines.append("| " + " | ".join(m) + " |")
    lines += ["", "| " + " | ".join(t for _, t in COLUMNS) + " |", "|" + " --- |" * len(COLUMNS)]
    for r in recs:
        lines.append("| " + " | ".join(r[c] for c, _ in COLUMNS) + " |")
    text = "\n".join(lines)
    print(text)
    if write:
        notes = os.environ.get("ISID_BENCH_NOTES", "")
        section = f"{BEGIN}\n{notes}\n\n{text}\n{END}"
        with open(write, encoding="utf-8") as f:
            doc = f.read()
        if BEGIN in doc and END in doc:
            head, rest = doc.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            doc = head + section + tail
        else:
            doc = doc.rstrip("\n") + "\n\n## IndicatorService\n\n" + section + "\n"
        with open(write, "w", encoding="utf-8") as f:
            f.write(doc)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    cmd, args = argv[1], argv[2:]
    if cmd == "synth":
        synth(*args)
    elif cmd == "stubs":
        stubs(*args)
    elif cmd == "bodies":
        bodies(*args)
    elif cmd == "check":
        check(*args)
    elif cmd == "table":
        write = None
        if len(args) == 3 and args[1] == "--write":
            write = args[2]
        table(args[0], write)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
