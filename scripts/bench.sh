#!/usr/bin/env bash
# Benchmark helloworld.Greeter/SayHello: Isid's greeter-server against peer
# gRPC servers, driven by h2load (Debian package nghttp2-client).
#
# Usage: scripts/bench.sh [--quick] [--write] [--requests N] [--requests-c1 N]
#
#   --quick          CI mode: 2000 requests per workload (no thresholds)
#   --write          also write the results into docs/BENCHMARKS.md
#   --requests N     requests for the "-c 50 -m 10" workload (default 200000)
#   --requests-c1 N  requests for the "-c 1 -m 1" workload (default 20000)
#
# Environment: ISID_BIN_DIR (default <repo>/.build/release), ISID_PROTOS_DIR
# (default <repo>/Protos), PYTHON (default python3).
#
# Every server follows the server contract (--host, --port 0, one line
# "listening on HOST:PORT" on stdout, SIGTERM exits 0). Each is pinned to CPU 0
# with taskset and h2load to CPU 1 (-t 1). Before each h2load run a real grpcio
# client calls SayHello and checks the reply, and after it h2load's failed and
# errored counts must be 0, every response a 2xx, and the DATA bytes received
# exactly one gRPC reply message per request; otherwise the script fails. A
# peer whose program or files are missing is reported as skipped.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"

BIN_DIR=${ISID_BIN_DIR:-$REPO_ROOT/.build/release}
PROTOS_DIR=${ISID_PROTOS_DIR:-$REPO_ROOT/Protos}
PYTHON=${PYTHON:-python3}
export ISID_PROTOS_DIR=$PROTOS_DIR

# Peers: one entry per server, "NAME  COMMAND...". COMMAND is run from the
# repository root, with "--host 127.0.0.1 --port 0" appended, and must follow
# the server contract. An entry whose program is not on PATH, or one of whose
# path-like words (containing "/") does not exist, is skipped. The first
# entry is Isid; the ratio column compares it with every other entry.
# (Paths must not contain spaces.)
SERVERS=(
    "isid            $BIN_DIR/greeter-server"
    "grpcio-python   $PYTHON Benchmarks/peers/python_greeter_server.py"
)

WORKLOADS=("c50-m10 50 10" "c1-m1 1 1")  # NAME CLIENTS MAX_CONCURRENT_STREAMS
REQUESTS_C50=200000
REQUESTS_C1=20000
WRITE=0
QUICK=0
STARTUP_TIMEOUT=20
SHUTDOWN_TIMEOUT=10
H2LOAD_TIMEOUT=900
DOC=docs/BENCHMARKS.md
BEGIN_MARK='<!-- bench:begin -->'
END_MARK='<!-- bench:end -->'

die() { echo "bench.sh: $*" >&2; exit 1; }
note() { echo "bench.sh: $*" >&2; }

while (($#)); do
    case $1 in
        --quick) QUICK=1 ;;
        --write) WRITE=1 ;;
        --requests) REQUESTS_C50=${2:?--requests needs a number}; shift ;;
        --requests-c1) REQUESTS_C1=${2:?--requests-c1 needs a number}; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done
if ((QUICK)); then
    REQUESTS_C50=2000
    REQUESTS_C1=2000
fi
[[ $REQUESTS_C50 =~ ^[0-9]+$ && $REQUESTS_C50 -ge 50 ]] || die "--requests must be a number >= 50"
[[ $REQUESTS_C1 =~ ^[0-9]+$ && $REQUESTS_C1 -ge 1 ]] || die "--requests-c1 must be a positive number"

for tool in h2load protoc taskset "$PYTHON"; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install nghttp2-client protobuf-compiler util-linux)"
done
[[ -f $PROTOS_DIR/grpc/examples/helloworld.proto ]] || die "$PROTOS_DIR/grpc/examples/helloworld.proto missing"

if (($(nproc) >= 2)); then
    SERVER_PIN=(taskset -c 0)
    LOAD_PIN=(taskset -c 1)
else
    note "fewer than 2 CPUs: servers and h2load are not pinned apart"
    SERVER_PIN=()
    LOAD_PIN=()
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/isid-bench.XXXXXX")
SERVER_PID=""
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# -- request body: 5-byte gRPC prefix + HelloRequest{name:"world"} -----------
grpc_frame() {  # MESSAGE_TYPE TEXT_FORMAT OUTPUT
    local encoded=$WORK/encoded.bin length
    printf '%s' "$2" | protoc --encode="$1" -I "$PROTOS_DIR" grpc/examples/helloworld.proto >"$encoded"
    length=$(stat -c %s "$encoded")
    ((length < 256)) || die "message too long for this simple prefix writer"
    # shellcheck disable=SC2059  # the format is built on purpose
    printf "\\x00\\x00\\x00\\x00\\x$(printf %02x "$length")" >"$3"
    cat "$encoded" >>"$3"
}
BODY=$WORK/hello-request.bin
grpc_frame helloworld.HelloRequest 'name: "world"' "$BODY"
grpc_frame helloworld.HelloReply 'message: "Hello world"' "$WORK/hello-reply.bin"
REPLY_FRAME_BYTES=$(stat -c %s "$WORK/hello-reply.bin")
CLK_TCK=$(getconf CLK_TCK)

# -- process helpers -----------------------------------------------------------
cpu_ticks() {  # utime + stime of a process (all threads), in clock ticks
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }  # drop "pid (comm) "; field 1 is now "state"
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${12} + ${13}))
}
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }

unavailable_reason() {  # COMMAND WORDS... -> prints why it cannot run, or nothing
    local word
    for word in "$@"; do
        if [[ $word == */* && ! -e $word ]]; then
            echo "not built: $word does not exist"
            return
        fi
    done
    command -v "$1" >/dev/null 2>&1 || echo "$1 not found or not executable"
}

start_server() {  # NAME COMMAND... ; sets SERVER_PID, SERVER_PORT
    local name=$1 out=$WORK/$1.stdout err=$WORK/$1.stderr deadline line
    shift
    : >"$out"
    "${SERVER_PIN[@]}" "$@" --host 127.0.0.1 --port 0 >"$out" 2>"$err" </dev/null &
    SERVER_PID=$!
    deadline=$((SECONDS + STARTUP_TIMEOUT))
    while :; do
        line=$(grep -m1 -E '^listening on [^ ]+:[0-9]+$' "$out" || true)
        [[ -n $line ]] && break
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            tail -n 20 "$err" >&2 || true
            die "$name exited before printing 'listening on HOST:PORT'"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "$err" >&2 || true
            die "$name printed no 'listening on HOST:PORT' within ${STARTUP_TIMEOUT}s"
        fi
        sleep 0.1
    done
    SERVER_PORT=${line##*:}
}

stop_server() {  # NAME
    local status=0 deadline=$((SECONDS + SHUTDOWN_TIMEOUT))
    kill -TERM "$SERVER_PID"
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            kill -KILL "$SERVER_PID" 2>/dev/null || true
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            die "$1 did not exit within ${SHUTDOWN_TIMEOUT}s of SIGTERM"
        fi
        sleep 0.1
    done
    wait "$SERVER_PID" || status=$?
    SERVER_PID=""
    ((status == 0)) || { tail -n 20 "$WORK/$1.stderr" >&2 || true; die "$1 exited with status $status after SIGTERM"; }
}

to_ms() {  # h2load duration (e.g. 185us, 2.50ms, 1.2s) -> milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else { printf "?" } }'
}

run_h2load() {  # CLIENTS STREAMS REQUESTS PORT OUTPUT
    timeout "$H2LOAD_TIMEOUT" "${LOAD_PIN[@]}" h2load -t 1 -c "$1" -m "$2" -n "$3" \
        -d "$BODY" -H 'content-type: application/grpc' -H 'te: trailers' \
        "http://127.0.0.1:$4/helloworld.Greeter/SayHello" >"$5" 2>&1 || {
        local status=$?
        cat "$5" >&2
        die "h2load failed (exit status $status)"
    }
}

# -- the runs ------------------------------------------------------------------
RESULTS=$WORK/results.tsv  # server workload rps mean max cpu_us rss_mib failed
: >"$RESULTS"
SKIPPED=()
for entry in "${SERVERS[@]}"; do
    read -r -a words <<<"$entry"
    name=${words[0]}
    cmd=("${words[@]:1}")
    reason=$(unavailable_reason "${cmd[@]}")
    if [[ -n $reason ]]; then
        reason=${reason//"$REPO_ROOT/"/}  # keep machine paths out of the report
        note "skipping $name: $reason"
        SKIPPED+=("$name ($reason)")
        continue
    fi
    note "starting $name: ${cmd[*]}"
    start_server "$name" "${cmd[@]}"
    for workload in "${WORKLOADS[@]}"; do
        read -r wname clients streams <<<"$workload"
        if [[ $wname == c1-* ]]; then requests=$REQUESTS_C1; else requests=$REQUESTS_C50; fi
        "$PYTHON" Benchmarks/peers/greeter_check.py "127.0.0.1:$SERVER_PORT" ||
            die "$name: SayHello check failed before $wname"
        warmup=$((requests / 10 > 5000 ? 5000 : requests / 10))
        ((warmup >= clients)) || warmup=$clients
        run_h2load "$clients" "$streams" "$warmup" "$SERVER_PORT" "$WORK/warmup.txt"
        before=$(cpu_ticks "$SERVER_PID")
        out=$WORK/$name-$wname.txt
        note "$name $wname: $requests requests"
        run_h2load "$clients" "$streams" "$requests" "$SERVER_PORT" "$out"
        after=$(cpu_ticks "$SERVER_PID")
        rss=$(peak_rss_kib "$SERVER_PID")

        rps=$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$out")
        done_="" succeeded="" failed="" errored="" max="" mean=""
        read -r done_ succeeded failed errored < <(sed -nE \
            's/^requests: [0-9]+ total, [0-9]+ started, ([0-9]+) done, ([0-9]+) succeeded, ([0-9]+) failed, ([0-9]+) errored.*/\1 \2 \3 \4/p' "$out") || true
        ok2xx=$(sed -nE 's/^status codes: ([0-9]+) 2xx.*/\1/p' "$out")
        data=$(sed -nE 's/^traffic: .* \(([0-9]+)\) data.*/\1/p' "$out")
        read -r _ _ _ _ max mean _ < <(grep -E '^time for request:' "$out") || true
        [[ -n $rps && -n $done_ && -n $ok2xx && -n $data && -n $mean ]] ||
            { cat "$out" >&2; die "$name $wname: could not parse h2load's output"; }
        if ((failed != 0 || errored != 0 || succeeded != requests || ok2xx != requests)); then
            cat "$out" >&2
            die "$name $wname: $failed failed, $errored errored, $succeeded succeeded, $ok2xx 2xx of $requests"
        fi
        if ((data != requests * REPLY_FRAME_BYTES)); then
            cat "$out" >&2
            die "$name $wname: $data DATA bytes, expected $requests replies of $REPLY_FRAME_BYTES bytes"
        fi
        "$PYTHON" Benchmarks/peers/greeter_check.py "127.0.0.1:$SERVER_PORT" ||
            die "$name: SayHello check failed after $wname"
        cpu_us=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }')
        rss_mib=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$wname" "$rps" "$(to_ms "$mean")" \
            "$(to_ms "$max")" "$cpu_us" "$rss_mib" "$failed" >>"$RESULTS"
    done
    stop_server "$name"
done

# -- report --------------------------------------------------------------------
ISID_NAME=${SERVERS[0]%% *}
TABLE=$WORK/table.md
awk -F'\t' -v isid="$ISID_NAME" '
    { rows[NR] = $0; if ($1 == isid) isid_rps[$2] = $3 }
    END {
        print "| server | workload | req/s | mean latency (ms) | max latency (ms) | server CPU per request (µs) | peak RSS (MiB) | failed | Isid req/s ÷ this |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|"
        for (i = 1; i <= NR; i++) {
            split(rows[i], f, "\t")
            ratio = "—"
            if (f[1] != isid && (f[2] in isid_rps) && f[3] > 0) ratio = sprintf("%.2f×", isid_rps[f[2]] / f[3])
            printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], ratio
        }
    }' "$RESULTS" >"$TABLE"
if ((${#SKIPPED[@]})); then
    {
        echo
        for s in "${SKIPPED[@]}"; do echo "Skipped: $s"; done
    } >>"$TABLE"
fi

MODEL=$(lscpu | sed -nE 's/^Model name:[[:space:]]+//p' | head -n1)
H2LOAD_VERSION=$(h2load --version | head -n1)
COMMAND="scripts/bench.sh"
((QUICK)) && COMMAND+=" --quick"
((QUICK)) || COMMAND+=" --requests $REQUESTS_C50 --requests-c1 $REQUESTS_C1"
REPORT=$WORK/report.md
{
    echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') with \`$COMMAND\`"
    echo
    echo "Machine: $(nproc) CPUs ($MODEL), $(uname -sr); $H2LOAD_VERSION;" \
        "workloads c50-m10 = \`-c 50 -m 10 -n $REQUESTS_C50\`, c1-m1 = \`-c 1 -m 1 -n $REQUESTS_C1\`" \
        "(plus an unmeasured warm-up run each)."
    echo
    cat "$TABLE"
} >"$REPORT"

echo
cat "$REPORT"

if ((WRITE)); then
    mkdir -p "$(dirname "$DOC")"
    if [[ ! -f $DOC ]] || ! grep -qF "$BEGIN_MARK" "$DOC" || ! grep -qF "$END_MARK" "$DOC"; then
        cat >"$DOC" <<EOF
# Benchmarks

Unary \`helloworld.Greeter/SayHello\` (request \`{name: "world"}\`), driven by
h2load over cleartext HTTP/2 against Isid's \`greeter-server\` and against peer
gRPC servers. Each server is pinned to CPU 0 and h2load to CPU 1 (\`-t 1\`).
Before every measured run a grpcio client checks the reply; a run counts only
if h2load reports no failed or errored request, every response is 2xx, and
exactly one gRPC reply message per request came back.

Reproduce with:

    scripts/bench.sh --write

Columns: server CPU per request is the server's user+system time
(\`/proc/PID/stat\`) during the measured run divided by the requests; peak RSS
is \`VmHWM\` from \`/proc/PID/status\` (the server's peak so far);
"Isid req/s ÷ this" is Isid's throughput over that peer's for the same
workload.

**Only ratios measured in one run, on one machine, count.** Absolute numbers
depend on the machine and on whatever else it was doing; compare servers
within a table, never across tables.

$BEGIN_MARK
$END_MARK
EOF
    fi
    "$PYTHON" - "$DOC" "$REPORT" "$BEGIN_MARK" "$END_MARK" <<'EOF'
import sys
doc, report, begin, end = sys.argv[1:]
text = open(doc, encoding="utf-8").read()
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
body = open(report, encoding="utf-8").read().strip()
open(doc, "w", encoding="utf-8").write(f"{head}{begin}\n{body}\n{end}{tail}")
EOF
    note "wrote $DOC"
fi
