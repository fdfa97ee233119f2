#!/usr/bin/env python3
"""Where Isid stands against the performance issue's targets, from one run.

Usage: targets.py RESULTS_TSV MEMORY_TSV [STREAM_TSV]   (written by scripts/bench.sh)

Prints a Markdown list, one line per target whose peers were measured:
"met" or "not met", with the measured ratio. Ratios only, from the same run.
"""

from __future__ import annotations

import sys


def main(results_path: str, memory_path: str, stream_path: str | None = None) -> int:
    unary: dict[tuple[str, str], dict[str, float]] = {}
    with open(results_path, encoding="utf-8") as f:
        for line in f:
            name, _kind, workload, rps, mean, _max, cpu, _rss, _s, _h, other = line.rstrip("\n").split("\t")
            unary[(name, workload)] = {"rps": float(rps), "mean": float(mean), "cpu": float(cpu),
                                       "other": float(other)}
    memory: dict[str, dict[str, float]] = {}
    with open(memory_path, encoding="utf-8") as f:
        for line in f:
            name, _kind, idle, with_n = line.rstrip("\n").split("\t")
            memory[name] = {"idle": float(idle), "with_n": float(with_n)}
    stream: dict[str, float] = {}  # messages/s
    if stream_path:
        with open(stream_path, encoding="utf-8") as f:
            for line in f:
                name, _kind, _calls, messages, *_ = line.rstrip("\n").split("\t")
                stream[name] = float(messages)

    lines: list[str] = []

    def target(text: str, ratio: float, test: str, limit: float) -> None:
        met = {"<=": ratio <= limit, ">=": ratio >= limit, "<": ratio < limit, ">": ratio > limit}[test]
        lines.append(f"- {text}: {ratio:.2f}× ({'met' if met else 'not met'})")

    isid = unary.get(("isid", "c50-m10"))
    go = unary.get(("grpc-go", "c50-m10"))
    if isid and go:
        target("Unary throughput (c50 m10) at least 2.5× grpc-go's", isid["rps"] / go["rps"], ">=", 2.5)
        target("Server CPU per request (c50 m10) at most 0.4× grpc-go's", isid["cpu"] / go["cpu"], "<=", 0.4)
    if isid:
        peers = [(name, row) for (name, workload), row in unary.items()
                 if workload == "c50-m10" and name not in ("isid", "nghttpd") and not name.startswith("isid@")]
        if peers:
            best_name, best = max(peers, key=lambda p: p[1]["rps"])
            target(f"Unary throughput (c50 m10) ahead of every gRPC peer (the fastest: {best_name})",
                   isid["rps"] / best["rps"], ">", 1.0)
        ceiling = unary.get(("nghttpd", "c50-m10"))
        if ceiling and ceiling["cpu"] > 0:
            target("Server CPU per request (c50 m10) at most 1.5× nghttpd's static file",
                   isid["cpu"] / ceiling["cpu"], "<=", 1.5)
    isid1 = unary.get(("isid", "c1-m1"))
    if isid1:
        if ("grpc-go", "c1-m1") in unary:
            target("Mean latency (c1 m1) at most 0.7× grpc-go's", isid1["mean"] / unary[("grpc-go", "c1-m1")]["mean"],
                   "<=", 0.7)
        if ("grpc-cpp", "c1-m1") in unary:
            target("Mean latency (c1 m1) below gRPC C++'s", isid1["mean"] / unary[("grpc-cpp", "c1-m1")]["mean"],
                   "<", 1.0)
    if "isid" in memory and "grpc-go" in memory:
        i, g = memory["isid"], memory["grpc-go"]
        if g["with_n"] > g["idle"]:
            target("Memory per idle connection below grpc-go's",
                   (i["with_n"] - i["idle"]) / (g["with_n"] - g["idle"]), "<", 1.0)
        target("RSS idle below grpc-go's", i["idle"] / g["idle"], "<", 1.0)
    if stream.get("isid") and stream.get("grpc-go"):
        target("Streaming (1 KiB messages) at least 2× grpc-go's messages/s", stream["isid"] / stream["grpc-go"],
               ">=", 2.0)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:4]))
