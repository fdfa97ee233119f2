#!/usr/bin/env bash
# Benchmark of ProgrammeService (programme-service): the IATI import of the shipped UNIDO file and of FACTOR
# times as many activities (synthetic copies, generated here), then list and portfolio-summary calls on the
# large database, driven by h2load over cleartext HTTP/2. See docs/BENCHMARKS.md, section ProgrammeService.
#
# Usage: Benchmarks/programme_bench.sh [--write] [--factor N] [--requests N] [--summary-requests N]
#
#   --write        also write the results into docs/BENCHMARKS.md between
#                  <!-- programmes:begin --> and <!-- programmes:end -->
#   --factor N     how many copies of the shipped activities the large file holds (default 100)
#   --requests N   requests of each list run, h2load "-c 10 -m 10" (default 2000)
#   --summary-requests N
#                  requests of the summary run, which reads every programme (default 50)
#
# Import: `programme-service import-iati` into a fresh SQLite file, pinned to CPU 0, under GNU time: wall time
# and peak RSS of the whole process. The synthetic file repeats the 33 real activities FACTOR times, each copy
# with its own identifier ("-COPY-k" appended), so FACTOR x 33 programmes are created.
#
# Calls, on the large database, the server pinned to CPU 0 and h2load to CPU 1: before each run a real grpcio
# call must answer OK; after it h2load must report 0 failed and 0 errored requests and every response 2xx.
#   list-50    ListProgrammes(page_size=50): the first page
#   list-mda   ListProgrammes(country_code=MDA, page_size=50): a filtered page
#   summary    GetPortfolioSummary(): every programme summed, grouped seven ways
# Server CPU per call is utime+stime of the server over the measured run divided by the requests.
#
# Environment: ISID_BIN_DIR (default .build/release), PYTHON (default python3, with grpcio-tools), TMPDIR.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"

BIN_DIR=${ISID_BIN_DIR:-.build/release}
PYTHON=${PYTHON:-python3}
SERVICE=$BIN_DIR/programme-service
DOC=docs/BENCHMARKS.md
SHIPPED=Data/iati/unido-XM-DAC-41123-activities-2.03.xml
FACTOR=100
REQUESTS=2000
SUMMARY_REQUESTS=50
WRITE=0

die() { echo "programme_bench.sh: $*" >&2; exit 1; }
note() { echo "programme_bench.sh: $*" >&2; }

while (($#)); do
    case $1 in
        --write) WRITE=1 ;;
        --factor) FACTOR=${2:?--factor needs a number}; shift ;;
        --requests) REQUESTS=${2:?--requests needs a number}; shift ;;
        --summary-requests) SUMMARY_REQUESTS=${2:?--summary-requests needs a number}; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done
[[ $FACTOR =~ ^[0-9]+$ && $FACTOR -ge 1 ]] || die "--factor must be a positive number"
[[ $REQUESTS =~ ^[0-9]+$ && $REQUESTS -ge 100 ]] || die "--requests must be a number >= 100"
[[ $SUMMARY_REQUESTS =~ ^[0-9]+$ && $SUMMARY_REQUESTS -ge 10 ]] || die "--summary-requests must be a number >= 10"
[[ -x $SERVICE ]] || die "$SERVICE not built (swift build -c release --product programme-service)"
for tool in h2load protoc taskset /usr/bin/time; do command -v "$tool" >/dev/null || die "$tool not found"; done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/isid-programme-bench.XXXXXX")
SERVER_PID=""
cleanup() {
    [[ -n $SERVER_PID ]] && kill -KILL "$SERVER_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# -- the large file: the shipped activities FACTOR times, each copy under its own identifier ----------------
LARGE=$WORK/unido-x$FACTOR.xml
"$PYTHON" - "$SHIPPED" "$LARGE" "$FACTOR" <<'EOF'
import sys
source, target, factor = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(source, encoding="utf-8").read()
head, rest = text.split("<iati-activity ", 1)
body, tail = ("<iati-activity " + rest).rsplit("</iati-activities>", 1)
with open(target, "w", encoding="utf-8") as out:
    out.write(head)
    for copy in range(factor):
        if copy == 0:
            out.write(body)
        else:
            out.write(body.replace("</iati-identifier>", f"-COPY-{copy}</iati-identifier>"))
    out.write("</iati-activities>" + tail)
EOF

# -- import ---------------------------------------------------------------------------------------------------
import_row() {  # LABEL FILE DATABASE -> a table row
    local label=$1 file=$2 database=$3 timing=$WORK/time.txt line
    line=$(taskset -c 0 /usr/bin/time -f '%e %M' -o "$timing" "$SERVICE" import-iati --database "$database" "$file")
    [[ $line == "$file: "* ]] || die "import-iati printed: $line"
    read -r seconds peak_kib <"$timing"
    local activities
    activities=$(sed -nE 's/^.*: ([0-9]+) activities .*/\1/p' <<<"$line")
    awk -v l="$label" -v a="$activities" -v s="$seconds" -v k="$peak_kib" -v b="$(stat -c %s "$file")" 'BEGIN {
        printf "| %s | %d | %.1f | %.2f | %.0f | %.1f |\n", l, a, b / 1048576, s, a / (s > 0 ? s : 0.01), k / 1024 }'
}
note "importing the shipped file and the x$FACTOR file"
IMPORT_TABLE=$WORK/import.md
{
    echo "| file | activities | size (MiB) | wall time (s) | activities/s | peak RSS (MiB) |"
    echo "|---|---:|---:|---:|---:|---:|"
    import_row "shipped (UNIDO, real)" "$SHIPPED" "$WORK/shipped.sqlite"
    import_row "x$FACTOR (synthetic copies)" "$LARGE" "$WORK/large.sqlite"
} >"$IMPORT_TABLE"

# -- calls on the large database --------------------------------------------------------------------------------
taskset -c 0 "$SERVICE" --database "$WORK/large.sqlite" --seed-iati "" --port 0 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do
    grep -q '^listening on ' "$WORK/server.out" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.err" >&2; die "programme-service did not start"; }
    sleep 0.1
done
PORT=$(sed -nE 's/^listening on .*:([0-9]+)$/\1/p' "$WORK/server.out")
[[ -n $PORT ]] || die "programme-service printed no 'listening on HOST:PORT'"

frame() {  # MESSAGE_TYPE TEXT_FORMAT OUTPUT: a gRPC-framed request body
    local encoded=$WORK/encoded.bin
    printf '%s' "$2" | protoc --encode="$1" -I Protos isid/programmes/v1/programme_service.proto >"$encoded"
    "$PYTHON" -c 'import struct, sys; d = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b"\0" + struct.pack(">I", len(d)) + d)' "$encoded" "$3"
}
cpu_ticks() { local s; s=$(<"/proc/$1/stat"); s=${s##*) }; set -- $s; echo $((${12} + ${13})); }
CLK_TCK=$(getconf CLK_TCK)
CALL_TABLE=$WORK/calls.md
{
    echo "| call | req/s | mean latency (ms) | server CPU per call (µs) |"
    echo "|---|---:|---:|---:|"
} >"$CALL_TABLE"
for entry in "list-50|$REQUESTS|ListProgrammes|isid.programmes.v1.ListProgrammesRequest|page_size: 50" \
    "list-mda|$REQUESTS|ListProgrammes|isid.programmes.v1.ListProgrammesRequest|country_code: \"MDA\" page_size: 50" \
    "summary|$SUMMARY_REQUESTS|GetPortfolioSummary|isid.programmes.v1.GetPortfolioSummaryRequest|"; do
    IFS='|' read -r name count method type text <<<"$entry"
    body=$WORK/$name.bin
    frame "$type" "$text" "$body"
    url="http://127.0.0.1:$PORT/isid.programmes.v1.ProgrammeService/$method"
    # A real call first: grpc-status 0 in the trailers (h2load counts HTTP status only).
    "$PYTHON" - "$PORT" "$method" <<'EOF' || die "$name: the check call failed"
import sys
sys.path.insert(0, "Tests/Interop")
import grpc, helpers
P = helpers.load_protos()
stub = P.programme_service_pb2_grpc.ProgrammeServiceStub(grpc.insecure_channel(f"127.0.0.1:{sys.argv[1]}"))
request = {"ListProgrammes": P.programme_service_pb2.ListProgrammesRequest(page_size=50),
           "GetPortfolioSummary": P.programme_service_pb2.GetPortfolioSummaryRequest()}[sys.argv[2]]
getattr(stub, sys.argv[2])(request, timeout=60)
EOF
    h2=(taskset -c 1 h2load -t 1 -c 10 -m 10 -d "$body" -H 'content-type: application/grpc' -H 'te: trailers')
    "${h2[@]}" -n $((count / 10 > 10 ? count / 10 : 10)) "$url" >/dev/null  # warm-up
    before=$(cpu_ticks "$SERVER_PID")
    "${h2[@]}" -n "$count" "$url" >"$WORK/$name.h2" 2>&1 || { cat "$WORK/$name.h2" >&2; die "$name: h2load failed"; }
    after=$(cpu_ticks "$SERVER_PID")
    grep -qE "requests: [0-9]+ total, [0-9]+ started, $count done, $count succeeded, 0 failed, 0 errored" \
        "$WORK/$name.h2" || { cat "$WORK/$name.h2" >&2; die "$name: not every request succeeded"; }
    grep -qE "status codes: $count 2xx" "$WORK/$name.h2" || { cat "$WORK/$name.h2" >&2; die "$name: non-2xx"; }
    rps=$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$WORK/$name.h2")
    mean=$(grep -E '^time for request:' "$WORK/$name.h2" | awk '{ print $6 }')
    awk -v n="$name" -v r="$rps" -v m="$mean" -v t=$((after - before)) -v hz="$CLK_TCK" -v q="$count" 'BEGIN {
        ms = m; if (ms ~ /us$/) { sub(/us$/, "", ms); ms /= 1000 } else if (ms ~ /ms$/) { sub(/ms$/, "", ms) }
        else if (ms ~ /s$/) { sub(/s$/, "", ms); ms *= 1000 }
        printf "| %s | %.0f | %.2f | %.0f |\n", n, r, ms, t / hz / q * 1e6 }' >>"$CALL_TABLE"
done
kill -TERM "$SERVER_PID"
wait "$SERVER_PID" || die "programme-service did not exit 0 after SIGTERM"
SERVER_PID=""

REPORT=$WORK/report.md
{
    echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') with \`Benchmarks/programme_bench.sh --factor $FACTOR" \
        "--requests $REQUESTS --summary-requests $SUMMARY_REQUESTS\`" \
        "on $(nproc) CPUs; importer and server on CPU 0, h2load (\`-c 10 -m 10\`) on CPU 1."
    echo
    echo "IATI import (\`programme-service import-iati\` into a new database, the whole process):"
    echo
    cat "$IMPORT_TABLE"
    echo
    echo "Calls on the x$FACTOR database ($((FACTOR * 33)) programmes):"
    echo
    cat "$CALL_TABLE"
} >"$REPORT"
cat "$REPORT"

if ((WRITE)); then
    "$PYTHON" - "$DOC" "$REPORT" <<'EOF'
import sys
doc, report = sys.argv[1:]
begin, end = "<!-- programmes:begin -->", "<!-- programmes:end -->"
text = open(doc, encoding="utf-8").read()
body = open(report, encoding="utf-8").read().strip()
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    text = f"{head}{begin}\n{body}\n{end}{tail}"
else:
    text = text.rstrip() + f"\n\n## ProgrammeService\n\n`Benchmarks/programme_bench.sh --write`.\n\n{begin}\n{body}\n{end}\n"
open(doc, "w", encoding="utf-8").write(text)
EOF
    note "wrote $DOC"
fi
