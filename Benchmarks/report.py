#!/usr/bin/env python3
"""The report of scripts/bench.sh: the services section's tables and the targets, as Markdown, from the
tab-separated files the script writes during one run.

Usage:
  report.py services --results TSV --memory TSV --imports TSV --seconds S --scale N --factor N
                     --bound PERCENT --spoiled PERCENT
  report.py targets [--greeter TSV] [--greeter-memory TSV] [--greeter-stream TSV] [--services TSV]
                    [--imports TSV]

Every target is a ratio of two figures of the same run, printed with "met" or "not met" and the gap.
"""

from __future__ import annotations

import argparse
import os
import sys

SERVICE_COLUMNS = ("id", "label", "via", "load", "rows", "requests", "rps", "mean_ms", "cpu_us", "service_us",
                   "proxy_us", "service_rss", "proxy_rss", "server_pct", "h2load_pct", "other_pct")

# The import figures recorded before the bounded-memory import work (docs/BENCHMARKS.md, earlier runs): only a
# reference from another run, shown beside this run's figure.
EARLIER_IMPORTS = {
    "indicators": (100, 68.4, "2026-11-25"),  # factor, wall seconds, date
    "iati": (100, 6.75, "2026-11-30"),
}
IMPORT_PEAK_LIMIT_MIB = 256


def read_tsv(path: str | None, columns: int | None = None) -> list[list[str]]:
    if not path or not os.path.exists(path):
        return []
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if columns is not None and len(fields) != columns:
                sys.exit(f"report.py: {path}: a line of {len(fields)} fields, not {columns}: {line!r}")
            rows.append(fields)
    return rows


def services_runs(path: str | None) -> dict[str, dict[str, str]]:
    return {fields[0]: dict(zip(SERVICE_COLUMNS, fields)) for fields in read_tsv(path, len(SERVICE_COLUMNS))}


def greeter_base(runs: dict[str, dict[str, str]]) -> float | None:
    """The greeter call's server CPU: the mean of its runs at the start and at the end of the section."""
    values = [float(runs[k]["cpu_us"]) for k in ("greeter", "greeter-end") if k in runs]
    return sum(values) / len(values) if values else None


def number(text: str, decimals: int = 1) -> str:
    return f"{float(text):,.{decimals}f}" if text not in ("", "-") else "—"


def services(args: argparse.Namespace) -> int:
    runs = services_runs(args.results)
    base = greeter_base(runs)
    if runs:
        print("### The services: pollers' calls, the gateway, programmes and parity")
        print()
        print(f"Each call measured beside the greeter's SayHello in the same section (the greeter first and last; "
              f"the ratio column divides a call's server CPU by the mean of those two), each run after a warm-up "
              f"and aimed at {args.seconds} s. IndicatorService serves the shipped `Data/sdg9` (a fresh SQLite "
              f"import); ProgrammeService {args.scale}× UNIDO's IATI activities and ParityService {args.scale}× its "
              f"seed records, **synthetic copies** of the real ones (see below). Server CPU per call is utime+stime "
              f"of every process on the call's path over the run ÷ calls: the service's, plus the gateway's (or "
              f"nghttpx's) when the call goes through one; peak RSS is each process's VmHWM during the run.")
        print()
        print("| call | via | h2load | rows per answer | calls | calls/s | mean latency (ms) | server CPU per call (µs) "
              "| service + proxy CPU (µs) | ÷ greeter call | peak RSS, service + proxy (MiB) "
              "| core use: path / h2load / other | bound by |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for run in runs.values():
            other, h2, path = float(run["other_pct"]), float(run["h2load_pct"]), float(run["server_pct"])
            if other >= args.spoiled:
                bound = "**other load**"
            elif h2 >= args.bound:
                bound = "**h2load**"
            elif path >= args.bound:
                bound = "server"
            else:
                bound = "neither"
            split = number(run["service_us"])
            rss = number(run["service_rss"])
            if run["proxy_us"]:
                split += f" + {number(run['proxy_us'])}"
                rss += f" + {number(run['proxy_rss'])}"
            ratio = f"{float(run['cpu_us']) / base:.2f}×" if base else "—"
            print(f"| {run['label']} | {run['via']} | {run['load']} | {run['rows']} | {int(run['requests']):,} "
                  f"| {float(run['rps']):,.0f} | {number(run['mean_ms'], 3)} | {number(run['cpu_us'])} | {split} "
                  f"| {ratio} | {rss} | {run['server_pct']}% / {run['h2load_pct']}% / {run['other_pct']}% "
                  f"| {bound} |")
        print()
    memory = read_tsv(args.memory, 5)
    if memory:
        print("Memory of the services section's servers (VmRSS a second after each printed `listening on`, with "
              "its data loaded, and after every run; start = from exec to `listening on`, including the parity "
              "seed's import into an empty database):")
        print()
        print("| server | data | start (s) | RSS idle (MiB) | RSS after the runs (MiB) |")
        print("|---|---|---:|---:|---:|")
        for name, data, start_ms, idle, end in memory:
            print(f"| {name} | {data} | {int(start_ms) / 1000:.2f} | {int(idle) / 1024:.1f} | {int(end) / 1024:.1f} |")
        print()
    imports = read_tsv(args.imports, 5)
    if imports:
        print("Imports into a new SQLite file, each pinned to CPU 0: wall time, and the peak RSS of the whole "
              "process (getrusage). Synthetic data sets: the indicator import's copies every real economy's "
              f"observations under {args.factor - 1} made-up economies (codes mixing digits and letters, named "
              "\"Synthetic k of ...\"; series and aggregate rows as shipped, so it holds about "
              f"{0.82 * args.factor:.0f}× the shipped rows); the IATI file repeats the 33 real activities, each "
              "copy under its own identifier (`-SYNTHETIC-k`) and a title marked synthetic; the parity seed "
              "repeats the seed's events with their placeholder panels, every copy marked `example` (made up). "
              "None of it is real data; it is generated into a scratch directory for the run and deleted.")
        print()
        print("| import | rows (observations or activities) | × the shipped rows | wall time (s) | rows/s | peak RSS (MiB) | database (MiB) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, rows, wall, peak, size in imports:
            rate = int(rows) / float(wall) if float(wall) > 0 else 0
            multiple = shipped_multiple(imports, label, rows)
            print(f"| {label} | {int(rows):,} | {multiple} | {float(wall):.2f} | {rate:,.0f} | {int(peak) / 1024:.1f} "
                  f"| {int(size) / 1048576:.1f} |")
    return 0


def shipped_multiple(imports: list[list[str]], label: str, rows: str) -> str:
    """How many times the rows of the same importer's real (shipped) import, or "—"."""
    command = label.split(",", 1)[0]
    for other, other_rows, *_ in imports:
        if other.split(",", 1)[0] == command and "(real)" in other and int(other_rows) > 0:
            return f"{int(rows) / int(other_rows):.1f}×"
    return "—"


class Targets:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str, ratio: float, test: str, limit: float, note: str = "") -> None:
        met = {"<=": ratio <= limit, ">=": ratio >= limit, "<": ratio < limit, ">": ratio > limit}[test]
        if met:
            verdict = "met"
        elif test in ("<=", "<"):
            verdict = f"not met (gap: {100 * (ratio / limit - 1):.0f}% over the limit)"
        else:
            verdict = f"not met (gap: {100 * (1 - ratio / limit):.0f}% short)"
        self.lines.append(f"- {text}: {ratio:.2f}× — {verdict}{note}")


def targets(args: argparse.Namespace) -> int:
    t = Targets()
    # -- the pollers' calls against the greeter's, services section --------------------------------------------------
    runs = services_runs(args.services)
    base = greeter_base(runs)

    def spoiled(*ids: str) -> str:
        return "; spoiled by other load, rerun" if any(
            float(runs[i]["other_pct"]) >= args.spoiled for i in ids if i in runs) else ""

    if base:
        for rid, text, limit in (
            ("latest-2", "GetLatestValues for 2 areas at most 2× a greeter call's server CPU", 2.0),
            ("unchanged", "The same answered \"unchanged\" (`if_changed_since`) at most 1.3×", 1.3),
            ("latest-all", "Every area of the series ({rows} rows) at most 8×", 8.0),
            ("page-1000", "A 1,000-row QueryObservations page at most 30×", 30.0),
        ):
            if rid in runs:
                run = runs[rid]
                t.add(text.format(rows=run["rows"]), float(run["cpu_us"]) / base, "<=", limit,
                      spoiled(rid, "greeter", "greeter-end"))
        if "json-304@gateway" in runs:
            cpu304 = float(runs["json-304@gateway"]["cpu_us"])
            if "greeter@gateway" in runs:
                proxied = float(runs["greeter@gateway"]["cpu_us"])
                t.add("Through the gateway, a 304 answer (JSON GET with If-None-Match) at most 2× a greeter call "
                      "proxied by the gateway", cpu304 / proxied, "<=", 2.0,
                      spoiled("json-304@gateway", "greeter@gateway"))
            elif "data-source@gateway" in runs and runs["data-source@gateway"]["proxy_us"]:
                proxied = base + float(runs["data-source@gateway"]["proxy_us"])
                t.add(f"Through the gateway, a 304 answer (JSON GET with If-None-Match) at most 2× a greeter call "
                      f"proxied by the gateway (estimated: greeter {base:.1f} µs + the gateway's {float(runs['data-source@gateway']['proxy_us']):.1f} µs "
                      f"per proxied GetDataSource = {proxied:.1f} µs)", cpu304 / proxied, "<=", 2.0,
                      spoiled("json-304@gateway", "data-source@gateway", "greeter", "greeter-end"))

    # -- imports --------------------------------------------------------------------------------------------------
    imports = read_tsv(args.imports, 5)
    for label, rows, wall, peak, _ in imports:
        if "(synthetic" not in label:
            continue
        multiple = shipped_multiple(imports, label, rows)
        if multiple != "—":
            label += f", {multiple} the shipped rows"
        kind = "indicators" if label.startswith("indicator-service") else "iati"
        peak_mib = int(peak) / 1024
        verdict = "met" if peak_mib <= IMPORT_PEAK_LIMIT_MIB else \
            f"not met (gap: {100 * (peak_mib / IMPORT_PEAK_LIMIT_MIB - 1):.0f}% over the limit)"
        line = f"- {label}: peak RSS at most {IMPORT_PEAK_LIMIT_MIB} MiB: {peak_mib:.0f} MiB — {verdict}"
        factor, seconds, date = EARLIER_IMPORTS[kind]
        if f"{factor}x" in label:
            line += (f"; wall time {float(wall):.1f} s, no slower than before: {seconds} s recorded on {date} "
                     f"(another run, so a reference, not a same-run ratio: {float(wall) / seconds:.2f}×)")
        t.lines.append(line)

    # -- the greeter against the peers --------------------------------------------------------------------------
    unary: dict[tuple[str, str], dict[str, float]] = {}
    for name, _kind, workload, rps, mean, _max, cpu, _rss, _s, _h, other in read_tsv(args.greeter, 11):
        unary[(name, workload)] = {"rps": float(rps), "mean": float(mean), "cpu": float(cpu), "other": float(other)}
    memory = {name: {"idle": float(idle), "with_n": float(with_n)}
              for name, _kind, idle, with_n in read_tsv(args.greeter_memory, 4)}
    stream = {fields[0]: float(fields[3]) for fields in read_tsv(args.greeter_stream, 10)}
    stream_other = {fields[0]: float(fields[9]) for fields in read_tsv(args.greeter_stream, 10)}

    def contended(*keys: tuple[str, str]) -> str:
        return "; spoiled by other load, rerun" if any(
            unary[k]["other"] >= args.spoiled for k in keys if k in unary) else ""

    isid = unary.get(("isid", "c50-m10"))
    go = unary.get(("grpc-go", "c50-m10"))
    if isid and go:
        pair = contended(("isid", "c50-m10"), ("grpc-go", "c50-m10"))
        t.add("Unary throughput (c50 m10) at least 2.5× grpc-go's", isid["rps"] / go["rps"], ">=", 2.5, pair)
        t.add("Server CPU per request (c50 m10) at most 0.4× grpc-go's", isid["cpu"] / go["cpu"], "<=", 0.4, pair)
    if isid:
        peers = [(name, row) for (name, workload), row in unary.items()
                 if workload == "c50-m10" and name not in ("isid", "nghttpd") and not name.startswith("isid@")]
        if peers:
            best_name, best = max(peers, key=lambda p: p[1]["rps"])
            t.add(f"Unary throughput (c50 m10) ahead of every gRPC peer (the fastest: {best_name})",
                  isid["rps"] / best["rps"], ">", 1.0, contended(("isid", "c50-m10"), (best_name, "c50-m10")))
        ceiling = unary.get(("nghttpd", "c50-m10"))
        if ceiling and ceiling["cpu"] > 0:
            t.add("Server CPU per request (c50 m10) at most 1.5× nghttpd's static file", isid["cpu"] / ceiling["cpu"],
                  "<=", 1.5, contended(("isid", "c50-m10"), ("nghttpd", "c50-m10")))
    isid1 = unary.get(("isid", "c1-m1"))
    if isid1:
        if ("grpc-go", "c1-m1") in unary:
            t.add("Mean latency (c1 m1) at most 0.7× grpc-go's", isid1["mean"] / unary[("grpc-go", "c1-m1")]["mean"],
                  "<=", 0.7, contended(("isid", "c1-m1"), ("grpc-go", "c1-m1")))
        if ("grpc-cpp", "c1-m1") in unary:
            t.add("Mean latency (c1 m1) below gRPC C++'s", isid1["mean"] / unary[("grpc-cpp", "c1-m1")]["mean"],
                  "<", 1.0, contended(("isid", "c1-m1"), ("grpc-cpp", "c1-m1")))
    if "isid" in memory and "grpc-go" in memory:
        i, g = memory["isid"], memory["grpc-go"]
        if g["with_n"] > g["idle"]:
            t.add("Memory per idle connection below grpc-go's", (i["with_n"] - i["idle"]) / (g["with_n"] - g["idle"]),
                  "<", 1.0)
        t.add("RSS idle below grpc-go's", i["idle"] / g["idle"], "<", 1.0)
    if stream.get("isid") and stream.get("grpc-go"):
        t.add("Streaming (1 KiB messages) at least 2× grpc-go's messages/s", stream["isid"] / stream["grpc-go"],
              ">=", 2.0, "; spoiled by other load, rerun" if max(stream_other["isid"], stream_other["grpc-go"])
              >= args.spoiled else "")
    if not any(name == "grpc-go" for name, _ in unary):
        t.lines.append("- The greeter's targets against grpc-go and gRPC C++: not measured (the greeter section "
                       "did not run, or those peers were skipped)")
    print("\n".join(t.lines) if t.lines else "- none measured in this run")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("services")
    s.add_argument("--results")
    s.add_argument("--memory")
    s.add_argument("--imports")
    s.add_argument("--seconds", default="5")
    s.add_argument("--scale", type=int, default=100)
    s.add_argument("--factor", type=int, default=100)
    s.add_argument("--bound", type=float, default=90)
    s.add_argument("--spoiled", type=float, default=15)
    t = sub.add_parser("targets")
    t.add_argument("--greeter")
    t.add_argument("--greeter-memory")
    t.add_argument("--greeter-stream")
    t.add_argument("--services")
    t.add_argument("--imports")
    t.add_argument("--spoiled", type=float, default=15)
    args = parser.parse_args(argv[1:])
    return services(args) if args.command == "services" else targets(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
