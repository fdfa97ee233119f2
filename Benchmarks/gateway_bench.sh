#!/usr/bin/env bash
# Benchmark of the gateway as a proxy: one unary call (IndicatorService GetDataSource, on a seeded database)
# made directly, through the gateway, and through nghttpx (Debian's nghttp2-proxy, h2c frontend and backend)
# in front of the same upstream, in one run, so the figures compare; then the JSON GET of latest values with
# and without If-None-Match. See docs/BENCHMARKS.md, section Gateway.
#
# Usage: Benchmarks/gateway_bench.sh [--write] [--requests N]
#
#   --write        also write the results into docs/BENCHMARKS.md between
#                  <!-- gateway:begin --> and <!-- gateway:end -->
#   --requests N   requests per run, h2load "-c 10 -m 10" (default 20000)
#
# The upstream and the proxy under test share CPU 0, h2load runs on CPU 1 (the machine has two). Before each
# run a real grpcio call must answer OK; after it h2load must report every request succeeded with status 2xx.
# CPU per call is utime+stime over the measured run divided by the requests, for the proxy and the upstream
# separately. nghttpx runs with one worker (it is single-threaded per worker, like the gateway on one CPU).
#
# Environment: ISID_BIN_DIR (default .build/release), PYTHON (default python3, with grpcio-tools), TMPDIR.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"

BIN_DIR=${ISID_BIN_DIR:-.build/release}
PYTHON=${PYTHON:-python3}
DOC=docs/BENCHMARKS.md
REQUESTS=20000
WRITE=0

die() { echo "gateway_bench.sh: $*" >&2; exit 1; }
note() { echo "gateway_bench.sh: $*" >&2; }

while (($#)); do
    case $1 in
        --write) WRITE=1 ;;
        --requests) REQUESTS=${2:?--requests needs a number}; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done
[[ $REQUESTS =~ ^[0-9]+$ && $REQUESTS -ge 100 ]] || die "--requests must be a number >= 100"
for product in indicator-service gateway; do
    [[ -x $BIN_DIR/$product ]] || die "$BIN_DIR/$product not built (swift build -c release --product $product)"
done
for tool in h2load nghttpx taskset curl; do command -v "$tool" >/dev/null || die "$tool not found"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/isid-gateway-bench.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

start() {  # NAME COMMAND... : runs it on CPU 0 and waits for "listening on"; sets PID and PORT
    local name=$1
    shift
    taskset -c 0 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    PID=$!
    PIDS+=("$PID")
    for _ in $(seq 1 600); do
        grep -q '^listening on ' "$WORK/$name.out" && break
        kill -0 "$PID" 2>/dev/null || { cat "$WORK/$name.err" >&2; die "$name did not start"; }
        sleep 0.1
    done
    PORT=$(sed -nE 's/^listening on .*:([0-9]+)$/\1/p' "$WORK/$name.out")
    [[ -n $PORT ]] || die "$name printed no 'listening on HOST:PORT'"
}
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
cpu_ticks() { local s; s=$(<"/proc/$1/stat"); s=${s##*) }; set -- $s; echo $((${12} + ${13})); }
CLK_TCK=$(getconf CLK_TCK)

note "seeding and starting indicator-service"
start upstream "$BIN_DIR/indicator-service" --database "$WORK/indicators.sqlite" --port 0
UPSTREAM_PID=$PID UPSTREAM_PORT=$PORT
ISID_IDENTITY_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export ISID_IDENTITY_SECRET
GATEWAY_METRICS_PORT=$(free_port)
start gateway "$BIN_DIR/gateway" --port 0 --anonymous-reads indicators --metrics-port "$GATEWAY_METRICS_PORT" \
    --route "isid.indicators.v1.IndicatorService=127.0.0.1:$UPSTREAM_PORT"
GATEWAY_PID=$PID GATEWAY_PORT=$PORT
# The same gateway with conditional GETs always called through, for the JSON table.
start gateway-calling "$BIN_DIR/gateway" --port 0 --anonymous-reads indicators --revalidation-max-age-seconds 0 \
    --route "isid.indicators.v1.IndicatorService=127.0.0.1:$UPSTREAM_PORT"
CALLING_PID=$PID CALLING_PORT=$PORT

NGHTTPX_PORT=$(free_port)
taskset -c 0 nghttpx --frontend="127.0.0.1,$NGHTTPX_PORT;no-tls" --backend="127.0.0.1,$UPSTREAM_PORT;;proto=h2" \
    --workers=1 --no-via --no-ocsp --errorlog-file="$WORK/nghttpx.err" --accesslog-file=/dev/null \
    >"$WORK/nghttpx.out" 2>&1 &
PIDS+=($!)
NGHTTPX_PID=$!
for _ in $(seq 1 100); do
    "$PYTHON" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$NGHTTPX_PORT" \
        2>/dev/null && break
    sleep 0.1
done
# nghttpx's worker is a child of its main process: that is where the requests are served.
NGHTTPX_WORKER=$(pgrep -P "$NGHTTPX_PID" | head -n 1)
[[ -n $NGHTTPX_WORKER ]] || NGHTTPX_WORKER=$NGHTTPX_PID

BODY=$WORK/request.bin
# GetDataSourceRequest has no fields: the framed request is the five-byte prefix of an empty message.
printf '\0\0\0\0\0' >"$BODY"

TABLE=$WORK/table.md
{
    echo "| path | req/s | mean latency (ms) | proxy CPU per call (µs) | upstream CPU per call (µs) |"
    echo "|---|---:|---:|---:|---:|"
} >"$TABLE"
for entry in "direct|$UPSTREAM_PORT|" "gateway|$GATEWAY_PORT|$GATEWAY_PID" "nghttpx|$NGHTTPX_PORT|$NGHTTPX_WORKER"; do
    IFS='|' read -r name port proxy <<<"$entry"
    "$PYTHON" - "$port" <<'PY' || die "$name: the check call failed"
import sys
sys.path.insert(0, "Tests/Interop")
import grpc, helpers
P = helpers.load_protos()
stub = P.indicator_service_pb2_grpc.IndicatorServiceStub(grpc.insecure_channel(f"127.0.0.1:{sys.argv[1]}"))
stub.GetDataSource(P.indicator_service_pb2.GetDataSourceRequest(), timeout=10)
PY
    url="http://127.0.0.1:$port/isid.indicators.v1.IndicatorService/GetDataSource"
    h2=(taskset -c 1 h2load -t 1 -c 10 -m 10 -d "$BODY" -H 'content-type: application/grpc' -H 'te: trailers')
    "${h2[@]}" -n $((REQUESTS / 10)) "$url" >/dev/null  # warm-up
    upstream_before=$(cpu_ticks "$UPSTREAM_PID")
    proxy_before=0
    [[ -n $proxy ]] && proxy_before=$(cpu_ticks "$proxy")
    "${h2[@]}" -n "$REQUESTS" "$url" >"$WORK/$name.h2" 2>&1 || { cat "$WORK/$name.h2" >&2; die "$name: h2load failed"; }
    upstream_after=$(cpu_ticks "$UPSTREAM_PID")
    proxy_after=0
    [[ -n $proxy ]] && proxy_after=$(cpu_ticks "$proxy")
    grep -qE "requests: [0-9]+ total, [0-9]+ started, $REQUESTS done, $REQUESTS succeeded, 0 failed, 0 errored" \
        "$WORK/$name.h2" || { cat "$WORK/$name.h2" >&2; die "$name: not every request succeeded"; }
    grep -qE "status codes: $REQUESTS 2xx" "$WORK/$name.h2" || { cat "$WORK/$name.h2" >&2; die "$name: non-2xx"; }
    rps=$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$WORK/$name.h2")
    mean=$(grep -E '^time for request:' "$WORK/$name.h2" | awk '{ print $6 }')
    awk -v n="$name" -v r="$rps" -v m="$mean" -v p=$((proxy_after - proxy_before)) -v has="$proxy" \
        -v u=$((upstream_after - upstream_before)) -v hz="$CLK_TCK" -v q="$REQUESTS" 'BEGIN {
        ms = m; if (ms ~ /us$/) { sub(/us$/, "", ms); ms /= 1000 } else if (ms ~ /ms$/) { sub(/ms$/, "", ms) }
        else if (ms ~ /s$/) { sub(/s$/, "", ms); ms *= 1000 }
        proxy = has == "" ? "–" : sprintf("%.1f", p / hz / q * 1e6)
        printf "| %s | %.0f | %.2f | %s | %.1f |\n", n, r, ms, proxy, u / hz / q * 1e6 }' >>"$TABLE"
done

# JSON GET of latest values over HTTP/1.1: a plain poll, a conditional one the gateway answers 304 from the
# followed revisions, and the same conditional poll with that off (the call made, its answer's ETag compared).
LATEST="/v1/indicators/NV_IND_MANF/latest?area_codes=DEU&area_codes=BGD"
ETAG=$("$PYTHON" - "$GATEWAY_PORT" "$LATEST" <<'PY'
import sys, urllib.request
response = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{sys.argv[2]}", timeout=10)
assert response.status == 200
print(response.headers["etag"])
PY
) || die "the JSON check call failed"
not_modified_by_gateway() {
    curl -s "http://127.0.0.1:$GATEWAY_METRICS_PORT/metrics" |
        awk '/^isid_gateway_not_modified_total\{.*answered_by="gateway"/ { n += $2 } END { printf "%d", n }'
}
# The gateway answers by itself once it follows the service's change stream: wait for the first such 304.
for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$GATEWAY_PORT$LATEST"
    curl -s -o /dev/null -H "if-none-match: $ETAG" "http://127.0.0.1:$GATEWAY_PORT$LATEST"
    (($(not_modified_by_gateway) > 0)) && break
    sleep 0.1
done
(($(not_modified_by_gateway) > 0)) || die "the gateway never answered a 304 by itself"

JSON_TABLE=$WORK/json.md
{
    echo "| JSON GET of latest values (2 areas) | req/s | mean latency (ms) | gateway CPU per call (µs) | upstream CPU per call (µs) |"
    echo "|---|---:|---:|---:|---:|"
} >"$JSON_TABLE"
for entry in "200, no If-None-Match|$GATEWAY_PORT|$GATEWAY_PID||2xx" \
    "304 answered by the gateway (followed revisions)|$GATEWAY_PORT|$GATEWAY_PID|$ETAG|3xx" \
    "304 after calling through (revalidation off)|$CALLING_PORT|$CALLING_PID|$ETAG|3xx"; do
    IFS='|' read -r name port proxy etag codes <<<"$entry"
    h1=(taskset -c 1 h2load --h1 -t 1 -c 10 -m 1)
    [[ -n $etag ]] && h1+=(-H "if-none-match: $etag")
    url="http://127.0.0.1:$port$LATEST"
    "${h1[@]}" -n $((REQUESTS / 10)) "$url" >/dev/null  # warm-up
    answered_before=$(not_modified_by_gateway)
    upstream_before=$(cpu_ticks "$UPSTREAM_PID")
    proxy_before=$(cpu_ticks "$proxy")
    "${h1[@]}" -n "$REQUESTS" "$url" >"$WORK/json.h1" 2>&1 || { cat "$WORK/json.h1" >&2; die "$name: h2load failed"; }
    upstream_after=$(cpu_ticks "$UPSTREAM_PID")
    proxy_after=$(cpu_ticks "$proxy")
    grep -qE "status codes: .*$REQUESTS $codes" "$WORK/json.h1" || { cat "$WORK/json.h1" >&2; die "$name: not all $codes"; }
    if [[ $name == *"by the gateway"* ]]; then
        (($(not_modified_by_gateway) - answered_before == REQUESTS)) || die "$name: some 304s called the service"
    fi
    rps=$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$WORK/json.h1")
    mean=$(grep -E '^time for request:' "$WORK/json.h1" | awk '{ print $6 }')
    awk -v n="$name" -v r="$rps" -v m="$mean" -v p=$((proxy_after - proxy_before)) \
        -v u=$((upstream_after - upstream_before)) -v hz="$CLK_TCK" -v q="$REQUESTS" 'BEGIN {
        ms = m; if (ms ~ /us$/) { sub(/us$/, "", ms); ms /= 1000 } else if (ms ~ /ms$/) { sub(/ms$/, "", ms) }
        else if (ms ~ /s$/) { sub(/s$/, "", ms); ms *= 1000 }
        printf "| %s | %.0f | %.2f | %.1f | %.1f |\n", n, r, ms, p / hz / q * 1e6, u / hz / q * 1e6 }' >>"$JSON_TABLE"
done

REPORT=$WORK/report.md
{
    echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') with \`Benchmarks/gateway_bench.sh --requests $REQUESTS\` on $(nproc)" \
        "CPUs; upstream (indicator-service) and proxy on CPU 0, h2load (\`-c 10 -m 10\`) on CPU 1; the call is" \
        "\`IndicatorService/GetDataSource\` (unary, about 0.6 KB answer); nghttpx $(nghttpx --version | awk '{ print $2 }')," \
        "one worker, h2c to the upstream."
    echo
    cat "$TABLE"
    echo
    echo "The JSON route over HTTP/1.1 (h2load \`--h1 -c 10 -m 1\`), \`GET $LATEST\`: a plain poll, a poll with" \
        "the answer's ETag that the gateway answers 304 from the service's followed change stream (every one" \
        "checked against the gateway's \`isid_gateway_not_modified_total{answered_by=\"gateway\"}\`), and the same" \
        "poll at a second gateway with \`--revalidation-max-age-seconds 0\` (the call made, its ETag compared)."
    echo
    cat "$JSON_TABLE"
} >"$REPORT"
cat "$REPORT"

if ((WRITE)); then
    "$PYTHON" - "$DOC" "$REPORT" <<'PY'
import sys
doc, report = sys.argv[1:]
begin, end = "<!-- gateway:begin -->", "<!-- gateway:end -->"
text = open(doc, encoding="utf-8").read()
body = open(report, encoding="utf-8").read().strip()
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    text = f"{head}{begin}\n{body}\n{end}{tail}"
else:
    text = text.rstrip() + f"\n\n## Gateway\n\n`Benchmarks/gateway_bench.sh --write`.\n\n{begin}\n{body}\n{end}\n"
open(doc, "w", encoding="utf-8").write(text)
PY
    note "wrote $DOC"
fi
