#!/usr/bin/env bash
# Benchmark unary helloworld.Greeter/SayHello and server-streaming
# grpc.testing.TestService/StreamingOutputCall (1 KiB messages): Isid's
# greeter-server against peer gRPC servers (grpc-go, gRPC C++, grpc-swift-2,
# Python grpcio) and nghttpd serving static files (the ceiling, not gRPC),
# driven by h2load (Debian package nghttp2-client). The one entry point of the
# benchmark; see docs/BENCHMARKS.md.
#
# Usage: scripts/bench.sh [--quick] [--write] [--peers LIST] [--no-build] [--baseline REF]
#                         [--requests N] [--requests-c1 N] [--idle-connections N]
#                         [--stream-calls N] [--stream-messages N]
#
#   --quick          CI mode: 2000 requests per unary workload, 50 streaming
#                    calls, 100 idle connections, builds nothing: a peer that
#                    is not built yet is skipped
#   --write          also write the results into docs/BENCHMARKS.md
#   --peers LIST     comma-separated peers to build and run beside Isid, from
#                    grpc-go, grpc-cpp, grpc-swift, grpcio-python, nghttpd;
#                    "all" (the default) or "none" (env ISID_BENCH_PEERS)
#   --no-build       build nothing (neither Isid nor peers); skip what is missing
#   --baseline REF   also measure Isid's greeter-server as of git commit REF (e.g. a
#                    change's parent), built from a detached worktree in the peers'
#                    build directory, as the peer "isid@REF": a change's before and
#                    after figures from one run (env ISID_BENCH_BASELINE)
#   --requests N     requests for the "-c 50 -m 10" workload (default 200000)
#   --requests-c1 N  requests for the "-c 1 -m 1" workload (default 20000)
#   --idle-connections N
#                    connections held open for the memory figures (default 1000)
#   --stream-calls N calls for the streaming workload, "-c 10 -m 1" (default 10000)
#   --stream-messages N
#                    messages of 1 KiB each streaming call returns (default 100)
#
# Without --quick or --no-build, everything is first built or brought up to date: Isid's
# greeter-server (swift build -c release, unless ISID_BIN_DIR is set) and the
# selected peers (Benchmarks/build-peers.sh, which apt-get installs missing
# Debian packages; the grpc-swift peer's first build takes minutes).
#
# Environment: ISID_BIN_DIR (default <repo>/.build/release), ISID_PROTOS_DIR
# (default <repo>/Protos), ISID_BENCH_PEERS, ISID_BENCH_BUILD_DIR (default
# <repo>/Benchmarks/.build-peers), PYTHON (default python3).
#
# Every server follows the server contract (--host, --port 0, one line
# "listening on HOST:PORT" on stdout, SIGTERM exits 0; nghttpd, not ours, may
# die of the signal). Each is pinned to CPU 0 with taskset and h2load to CPU 1
# (-t 1). Per server: RSS right after start (idle), then RSS with N idle HTTP/2
# connections that each completed one call (Benchmarks/peers/idle_connections.py,
# on CPU 1), then the unary h2load workloads, then the streaming one. Before
# and after each h2load run a real grpcio client calls SayHello (or
# StreamingOutputCall) and checks the reply (or every message of the stream),
# and after it h2load's failed and errored counts must be 0, every response a
# 2xx, and the DATA bytes received exactly one gRPC reply message per request
# (N per streaming call); otherwise the script fails.
# h2load's own CPU time is measured too: a run where it used >= 90% of its core
# is marked as bound by h2load, not by the server. A peer whose program or
# files are missing is reported as skipped.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"

BIN_DIR=${ISID_BIN_DIR:-$REPO_ROOT/.build/release}
PROTOS_DIR=${ISID_PROTOS_DIR:-$REPO_ROOT/Protos}
PEER_BUILD_DIR=${ISID_BENCH_BUILD_DIR:-$REPO_ROOT/Benchmarks/.build-peers}
PYTHON=${PYTHON:-python3}
export ISID_PROTOS_DIR=$PROTOS_DIR ISID_BENCH_BUILD_DIR=$PEER_BUILD_DIR PYTHON

# Servers: one entry per server, "NAME KIND NEEDS COMMAND...". KIND is grpc
# (POST SayHello and StreamingOutputCall, checked with a grpcio client) or
# static (GET of a file at each path, no gRPC). NEEDS is a program that must be on PATH, or "-". COMMAND is run from
# the repository root, with "--host 127.0.0.1 --port 0" appended, and must
# follow the server contract. An entry whose program is not on PATH, or one of
# whose path-like words (containing "/") does not exist, is skipped. The first
# entry is Isid; the ratio columns compare it with every other entry.
# (Paths must not contain spaces.) Benchmarks/build-peers.sh builds the peers.
SERVERS=(
    "isid           grpc    -        $BIN_DIR/greeter-server"
    "grpc-go        grpc    -        $PEER_BUILD_DIR/go-greeter"
    "grpc-cpp       grpc    -        $PEER_BUILD_DIR/cpp-greeter"
    "grpc-swift     grpc    -        Benchmarks/.build/release/grpc-swift-greeter"
    "grpcio-python  grpc    -        $PYTHON Benchmarks/peers/python_greeter_server.py"
    "nghttpd        static  nghttpd  Benchmarks/peers/nghttpd_static.sh"
)
ALL_PEERS=(grpc-go grpc-cpp grpc-swift grpcio-python nghttpd)

WORKLOADS=("c50-m10 50 10" "c1-m1 1 1")  # NAME CLIENTS MAX_CONCURRENT_STREAMS
REQUESTS_C50=200000
REQUESTS_C1=20000
IDLE_CONNECTIONS=1000
# Streaming: ten connections with one call each at a time keep the server's
# core busy (one connection leaves it waiting between calls) while every
# stream has its connection to itself, like independent subscribers; streams
# multiplexed on one connection would measure how a server batches writes
# across them instead.
STREAM_CLIENTS=10
STREAM_CALLS=10000
STREAM_MESSAGES=100
STREAM_MESSAGE_SIZE=1024
UNARY_PATH=/helloworld.Greeter/SayHello
STREAM_PATH=/grpc.testing.TestService/StreamingOutputCall
PEERS_ARG=${ISID_BENCH_PEERS:-all}
BASELINE=${ISID_BENCH_BASELINE:-}
WRITE=0
QUICK=0
BUILD=1
STARTUP_TIMEOUT=20
SHUTDOWN_TIMEOUT=10
H2LOAD_TIMEOUT=900
H2LOAD_BOUND_PERCENT=90  # h2load at or above this share of its core: it was the limit
OTHER_LOAD_PERCENT=15    # other processes at or above this share of a core: the run is spoiled
CONTENDED=0
DOC=docs/BENCHMARKS.md
BEGIN_MARK='<!-- bench:begin -->'
END_MARK='<!-- bench:end -->'

die() { echo "bench.sh: $*" >&2; exit 1; }
note() { echo "bench.sh: $*" >&2; }

REQUESTS_SET=0
IDLE_SET=0
STREAM_SET=0
while (($#)); do
    case $1 in
        --quick) QUICK=1 ;;
        --write) WRITE=1 ;;
        --no-build) BUILD=0 ;;
        --peers) PEERS_ARG=${2:?--peers needs a list}; shift ;;
        --baseline) BASELINE=${2:?--baseline needs a git commit}; shift ;;
        --requests) REQUESTS_C50=${2:?--requests needs a number}; REQUESTS_SET=1; shift ;;
        --requests-c1) REQUESTS_C1=${2:?--requests-c1 needs a number}; REQUESTS_SET=1; shift ;;
        --idle-connections) IDLE_CONNECTIONS=${2:?--idle-connections needs a number}; IDLE_SET=1; shift ;;
        --stream-calls) STREAM_CALLS=${2:?--stream-calls needs a number}; STREAM_SET=1; shift ;;
        --stream-messages) STREAM_MESSAGES=${2:?--stream-messages needs a number}; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done
if ((QUICK)); then
    ((REQUESTS_SET)) || { REQUESTS_C50=2000; REQUESTS_C1=2000; }
    ((IDLE_SET)) || IDLE_CONNECTIONS=100
    ((STREAM_SET)) || STREAM_CALLS=50
    BUILD=0
fi
[[ $REQUESTS_C50 =~ ^[0-9]+$ && $REQUESTS_C50 -ge 50 ]] || die "--requests must be a number >= 50"
[[ $REQUESTS_C1 =~ ^[0-9]+$ && $REQUESTS_C1 -ge 1 ]] || die "--requests-c1 must be a positive number"
[[ $IDLE_CONNECTIONS =~ ^[0-9]+$ && $IDLE_CONNECTIONS -ge 1 ]] || die "--idle-connections must be a positive number"
[[ $STREAM_CALLS =~ ^[0-9]+$ && $STREAM_CALLS -ge $STREAM_CLIENTS ]] ||
    die "--stream-calls must be a number >= $STREAM_CLIENTS"
[[ $STREAM_MESSAGES =~ ^[0-9]+$ && $STREAM_MESSAGES -ge 1 ]] || die "--stream-messages must be a positive number"
export ISID_BENCH_STREAM_MESSAGES=$STREAM_MESSAGES  # the nghttpd ceiling serves that many

case $PEERS_ARG in
    all) PEERS=("${ALL_PEERS[@]}") ;;
    none) PEERS=() ;;
    *) IFS=', ' read -r -a PEERS <<<"$PEERS_ARG" ;;
esac
for peer in "${PEERS[@]}"; do
    [[ " ${ALL_PEERS[*]} " == *" $peer "* ]] || die "unknown peer '$peer' (known: ${ALL_PEERS[*]}, all, none)"
done

for tool in h2load protoc taskset "$PYTHON"; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install nghttp2-client protobuf-compiler util-linux)"
done
for proto in grpc/examples/helloworld.proto grpc/testing/test.proto; do
    [[ -f $PROTOS_DIR/$proto ]] || die "$PROTOS_DIR/$proto missing"
done

# -- build what is missing (not with --quick or --no-build) --------------------
if ((BUILD)); then
    if [[ -z ${ISID_BIN_DIR:-} ]]; then
        note "building Isid: swift build -c release --product greeter-server"
        start=$SECONDS
        swift build -c release --product greeter-server
        note "Isid's swift build finished in $((SECONDS - start)) s"
    fi
    if ((${#PEERS[@]})); then
        note "building peers: Benchmarks/build-peers.sh ${PEERS[*]}"
        Benchmarks/build-peers.sh "${PEERS[@]}"
    fi
fi

# -- the baseline: Isid as of another commit, measured like a peer -------------
if [[ -n $BASELINE ]]; then
    BASE_COMMIT=$(git rev-parse --verify --quiet "$BASELINE^{commit}") || die "--baseline: no commit '$BASELINE'"
    BASE_NAME="isid@$(git rev-parse --short "$BASE_COMMIT")"
    BASE_SRC=$PEER_BUILD_DIR/baseline-src
    BASE_BIN=$PEER_BUILD_DIR/baseline-build/release/greeter-server
    if ((BUILD)); then
        mkdir -p "$PEER_BUILD_DIR"
        if [[ -d $BASE_SRC ]]; then
            git -C "$BASE_SRC" checkout --quiet --detach "$BASE_COMMIT"
        else
            git worktree add --quiet --detach "$BASE_SRC" "$BASE_COMMIT"
        fi
        note "building the baseline $BASE_NAME: swift build -c release --product greeter-server"
        swift build -c release --product greeter-server --package-path "$BASE_SRC" \
            --scratch-path "$PEER_BUILD_DIR/baseline-build"
    elif [[ -d $BASE_SRC && $(git -C "$BASE_SRC" rev-parse HEAD) != "$BASE_COMMIT" ]]; then
        BASE_BIN=$PEER_BUILD_DIR/baseline-build/not-built-for-$BASE_NAME  # built for another commit: skip it
    fi
    SERVERS=("${SERVERS[0]}" "$BASE_NAME grpc - $BASE_BIN" "${SERVERS[@]:1}")
    PEERS=("$BASE_NAME" "${PEERS[@]}")
fi

if (($(nproc) >= 2)); then
    SERVER_PIN=(taskset -c 0)
    LOAD_PIN=(taskset -c 1)
else
    note "fewer than 2 CPUs: servers and h2load are not pinned apart"
    SERVER_PIN=()
    LOAD_PIN=()
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/isid-bench.XXXXXX")
mkdir "$WORK/tmp"
SERVER_PID=""
HOLDER_PID=""
cleanup() {
    local pid
    for pid in "$HOLDER_PID" "$SERVER_PID"; do
        if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
# Idle connections need a file descriptor each, in the holder and the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# -- request bodies and expected replies: 5-byte gRPC prefix + message --------
grpc_frame() {  # PROTO MESSAGE_TYPE TEXT_FORMAT OUTPUT
    local encoded=$WORK/encoded.bin length prefix='\x00' shift  # flag: not compressed
    printf '%s' "$3" | protoc --encode="$2" -I "$PROTOS_DIR" "$1" >"$encoded"
    length=$(stat -c %s "$encoded")
    for shift in 24 16 8 0; do  # the length, 4 bytes big-endian
        prefix+="\\x$(printf %02x $((length >> shift & 255)))"
    done
    # shellcheck disable=SC2059  # the format is built on purpose
    printf "$prefix" >"$4"
    cat "$encoded" >>"$4"
}
HELLO=grpc/examples/helloworld.proto
BODY=$WORK/hello-request.bin
grpc_frame $HELLO helloworld.HelloRequest 'name: "world"' "$BODY"
grpc_frame $HELLO helloworld.HelloReply 'message: "Hello world"' "$WORK/hello-reply.bin"
REPLY_FRAME_BYTES=$(stat -c %s "$WORK/hello-reply.bin")
# StreamingOutputCallRequest{response_parameters: N x {size: 1024}}; each reply
# is a StreamingOutputCallResponse with a payload of 1024 zero bytes.
STREAM_BODY=$WORK/stream-request.bin
grpc_frame grpc/testing/test.proto grpc.testing.StreamingOutputCallRequest \
    "$(for ((i = 0; i < STREAM_MESSAGES; i++)); do echo "response_parameters { size: $STREAM_MESSAGE_SIZE }"; done)" \
    "$STREAM_BODY"
grpc_frame grpc/testing/test.proto grpc.testing.StreamingOutputCallResponse \
    "payload { body: \"$(printf '\\000%.0s' $(seq "$STREAM_MESSAGE_SIZE"))\" }" "$WORK/stream-reply.bin"
STREAM_FRAME_BYTES=$(stat -c %s "$WORK/stream-reply.bin")
CLK_TCK=$(getconf CLK_TCK)

# -- process helpers -----------------------------------------------------------
cpu_ticks() {  # utime + stime of a process (all threads), in clock ticks
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${12} + ${13}))
}
children_cpu_ticks() {  # cutime + cstime of this shell: its waited-for children (h2load)
    local stat
    stat=$(<"/proc/$$/stat")
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${14} + ${15}))
}
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
now_ns() { date +%s%N; }
# Busy ticks of CPUs 0 and 1 together: user, nice, system and steal (time the
# host gave to others). Not irq and softirq: that is mostly the loopback
# traffic of the run itself, which the kernel accounts to no process.
cores_busy_ticks() {
    awk '$1 == "cpu0" || $1 == "cpu1" { busy += $2 + $3 + $4 + $9 } END { print busy }' /proc/stat
}

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
    TMPDIR=$WORK/tmp "${SERVER_PIN[@]}" "$@" --host 127.0.0.1 --port 0 >"$out" 2>"$err" </dev/null &
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

stop_server() {  # NAME ALLOWED_STATUS...: SIGTERM, then the exit status must be one of them
    local name=$1 status=0 deadline=$((SECONDS + SHUTDOWN_TIMEOUT))
    shift
    kill -TERM "$SERVER_PID"
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            kill -KILL "$SERVER_PID" 2>/dev/null || true
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            die "$name did not exit within ${SHUTDOWN_TIMEOUT}s of SIGTERM"
        fi
        sleep 0.1
    done
    wait "$SERVER_PID" || status=$?
    SERVER_PID=""
    [[ " $* " == *" $status "* ]] ||
        { tail -n 20 "$WORK/$name.stderr" >&2 || true; die "$name exited with status $status after SIGTERM"; }
}

to_ms() {  # h2load duration (e.g. 185us, 2.50ms, 1.2s) -> milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else { printf "?" } }'
}

# h2load runs in this shell (not a subshell), so its CPU time lands in this
# shell's children times: H2LOAD_CPU_TICKS and H2LOAD_WALL_NS after each run,
# and CORES_BUSY_TICKS, the busy time of CPUs 0 and 1 (/proc/stat): what is
# neither the server's nor h2load's is other load, which spoils the run.
run_h2load() {  # KIND PATH BODY CLIENTS STREAMS REQUESTS PORT OUTPUT (BODY: the POST body of a grpc KIND)
    local kind=$1 path=$2 body=$3 before start request=()
    shift 3
    if [[ $kind == grpc ]]; then
        request=(-d "$body" -H 'content-type: application/grpc' -H 'te: trailers')
    fi
    before=$(children_cpu_ticks)
    CORES_BUSY_BEFORE=$(cores_busy_ticks)
    start=$(now_ns)
    timeout "$H2LOAD_TIMEOUT" "${LOAD_PIN[@]}" h2load -t 1 -c "$1" -m "$2" -n "$3" "${request[@]}" \
        "http://127.0.0.1:$4$path" >"$5" 2>&1 || {
        local status=$?
        cat "$5" >&2
        die "h2load failed (exit status $status)"
    }
    H2LOAD_WALL_NS=$(($(now_ns) - start))
    CORES_BUSY_TICKS=$(($(cores_busy_ticks) - CORES_BUSY_BEFORE))
    H2LOAD_CPU_TICKS=$(($(children_cpu_ticks) - before))
}

# Idle connections: RSS after N connections have each completed one call and
# stay open, idle. Sets IDLE_RSS_KIB.
measure_idle_connections() {  # NAME KIND PORT
    local name=$1 kind=$2 port=$3 out=$WORK/$1.holder deadline request
    if [[ $kind == grpc ]]; then request=(--grpc "$UNARY_PATH" "$BODY"); else
        request=(--get "$UNARY_PATH"); fi
    : >"$out"
    # The holder reads its stdin: a FIFO we keep open until we are done.
    mkfifo "$WORK/holder.in"
    "${LOAD_PIN[@]}" "$PYTHON" Benchmarks/peers/idle_connections.py "127.0.0.1:$port" "$IDLE_CONNECTIONS" \
        "${request[@]}" <"$WORK/holder.in" >"$out" 2>"$out.err" &
    HOLDER_PID=$!
    exec {holder_fd}>"$WORK/holder.in"
    deadline=$((SECONDS + 120))
    until grep -q '^holding ' "$out"; do
        if ! kill -0 "$HOLDER_PID" 2>/dev/null || ((SECONDS >= deadline)); then
            cat "$out.err" >&2
            die "$name: could not open $IDLE_CONNECTIONS idle connections"
        fi
        sleep 0.1
    done
    sleep 1  # let the server settle
    IDLE_RSS_KIB=$(rss_kib "$SERVER_PID")
    exec {holder_fd}>&-
    wait "$HOLDER_PID" || { cat "$out.err" >&2; die "$name: an idle connection failed while held"; }
    HOLDER_PID=""
    rm -f "$WORK/holder.in"
    sleep 0.5  # let the server notice the closes
}

# Reads h2load's report into H2_RPS, H2_ELAPSED_MS, H2_DATA, H2_MEAN and H2_MAX
# (mean and max as h2load prints them), and fails the benchmark unless the run
# was clean: no failed or errored request, all REQUESTS succeeded with a 2xx,
# and exactly EXPECTED_DATA bytes of DATA came back (the replies asked for).
check_h2load() {  # LABEL OUTPUT REQUESTS EXPECTED_DATA EXPECTED_WHAT
    local label=$1 out=$2 requests=$3 done_="" succeeded="" failed="" errored="" ok2xx elapsed
    elapsed=$(sed -nE 's/^finished in ([^,]+), .*/\1/p' "$out")
    H2_RPS=$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$out")
    H2_MAX="" H2_MEAN=""
    read -r done_ succeeded failed errored < <(sed -nE \
        's/^requests: [0-9]+ total, [0-9]+ started, ([0-9]+) done, ([0-9]+) succeeded, ([0-9]+) failed, ([0-9]+) errored.*/\1 \2 \3 \4/p' "$out") || true
    ok2xx=$(sed -nE 's/^status codes: ([0-9]+) 2xx.*/\1/p' "$out")
    H2_DATA=$(sed -nE 's/^traffic: .* \(([0-9]+)\) data.*/\1/p' "$out")
    read -r _ _ _ _ H2_MAX H2_MEAN _ < <(grep -E '^time for request:' "$out") || true
    [[ -n $elapsed && -n $H2_RPS && -n $done_ && -n $ok2xx && -n $H2_DATA && -n $H2_MEAN ]] ||
        { cat "$out" >&2; die "$label: could not parse h2load's output"; }
    H2_ELAPSED_MS=$(to_ms "$elapsed")
    if ((failed != 0 || errored != 0 || succeeded != requests || ok2xx != requests)); then
        cat "$out" >&2
        die "$label: $failed failed, $errored errored, $succeeded succeeded, $ok2xx 2xx of $requests"
    fi
    if ((H2_DATA != $4)); then
        cat "$out" >&2
        die "$label: $H2_DATA DATA bytes, expected $4 ($5)"
    fi
}

# Server CPU per unit (request or message) in microseconds, and the core use
# of the last h2load run (server, h2load, other, in percent of one core): sets
# CPU_US, SERVER_PCT, H2LOAD_PCT, OTHER_PCT; warns when other load spoiled it.
core_use() {  # LABEL SERVER_TICKS UNITS DECIMALS
    read -r CPU_US SERVER_PCT H2LOAD_PCT OTHER_PCT < <(awk -v t="$2" -v h="$H2LOAD_CPU_TICKS" \
        -v busy="$CORES_BUSY_TICKS" -v hz="$CLK_TCK" -v n="$3" -v d="$4" -v wall="$H2LOAD_WALL_NS" 'BEGIN {
            w = wall / 1e9; other = busy - t - h; if (other < 0) other = 0
            printf "%.*f %.0f %.0f %.0f\n", d, t / hz / n * 1e6, 100 * t / hz / w, 100 * h / hz / w, 100 * other / hz / w }')
    if ((OTHER_PCT >= OTHER_LOAD_PERCENT)); then
        note "WARNING: $1: other processes used ${OTHER_PCT}% of a core during the run; its figures are spoiled"
        CONTENDED=1
    fi
}

# The streaming workload against the running server: STREAM_CALLS calls of
# STREAM_MESSAGES messages each, -c 10 -m 1, after a warm-up; appends a row to
# STREAM_RESULTS.
measure_stream() {  # NAME KIND PORT
    local name=$1 kind=$2 port=$3 out=$WORK/$1-stream.txt warmup before after rss messages
    messages=$((STREAM_CALLS * STREAM_MESSAGES))
    if [[ $kind == grpc ]]; then
        "$PYTHON" Benchmarks/peers/streaming_check.py "127.0.0.1:$port" "$STREAM_MESSAGES" "$STREAM_MESSAGE_SIZE" ||
            die "$name: StreamingOutputCall check failed before the streaming run (built before it had one?)"
    fi
    warmup=$((STREAM_CALLS / 10 > 1000 ? 1000 : STREAM_CALLS / 10))
    ((warmup >= STREAM_CLIENTS)) || warmup=$STREAM_CLIENTS
    run_h2load "$kind" "$STREAM_PATH" "$STREAM_BODY" "$STREAM_CLIENTS" 1 "$warmup" "$port" "$WORK/warmup.txt"
    # The peak RSS of this run, not of the idle-connection phase: writing 5
    # to clear_refs resets VmHWM to the current RSS.
    echo 5 >"/proc/$SERVER_PID/clear_refs" 2>/dev/null ||
        note "WARNING: $name: could not reset its peak RSS; the streaming figure is its peak since start"
    before=$(cpu_ticks "$SERVER_PID")
    note "$name stream: $STREAM_CALLS calls of $STREAM_MESSAGES messages"
    run_h2load "$kind" "$STREAM_PATH" "$STREAM_BODY" "$STREAM_CLIENTS" 1 "$STREAM_CALLS" "$port" "$out"
    after=$(cpu_ticks "$SERVER_PID")
    rss=$(peak_rss_kib "$SERVER_PID")
    check_h2load "$name stream" "$out" "$STREAM_CALLS" $((messages * STREAM_FRAME_BYTES)) \
        "$STREAM_MESSAGES replies of $STREAM_FRAME_BYTES bytes per call"
    if [[ $kind == grpc ]]; then
        "$PYTHON" Benchmarks/peers/streaming_check.py "127.0.0.1:$port" "$STREAM_MESSAGES" "$STREAM_MESSAGE_SIZE" ||
            die "$name: StreamingOutputCall check failed after the streaming run"
    fi
    core_use "$name stream" $((after - before)) "$messages" 2
    awk -v name="$name" -v kind="$kind" -v calls="$STREAM_CALLS" -v m="$messages" -v data="$H2_DATA" \
        -v ms="$H2_ELAPSED_MS" -v cpu="$CPU_US" -v rss="$rss" -v s="$SERVER_PCT" -v h="$H2LOAD_PCT" \
        -v o="$OTHER_PCT" 'BEGIN {
            sec = ms / 1000
            printf "%s\t%s\t%.0f\t%.0f\t%.1f\t%s\t%.1f\t%s\t%s\t%s\n", name, kind, calls / sec, m / sec,
                data / sec / 1048576, cpu, rss / 1024, s, h, o }' >>"$STREAM_RESULTS"
}

# -- the runs ------------------------------------------------------------------
RESULTS=$WORK/results.tsv  # server kind workload rps mean max cpu_us rss_mib server% h2load% other%
MEMORY=$WORK/memory.tsv    # server kind idle_kib with_n_kib
# server kind calls/s messages/s MiB/s cpu_us_per_message rss_mib server% h2load% other%
STREAM_RESULTS=$WORK/stream.tsv
: >"$RESULTS"
: >"$MEMORY"
: >"$STREAM_RESULTS"
SKIPPED=()
ISID_NAME=""
for entry in "${SERVERS[@]}"; do
    read -r -a words <<<"$entry"
    name=${words[0]}
    kind=${words[1]}
    needs=${words[2]}
    cmd=("${words[@]:3}")
    [[ -n $ISID_NAME ]] || ISID_NAME=$name
    if [[ $name != "$ISID_NAME" && " ${PEERS[*]} " != *" $name "* ]]; then
        continue  # not selected with --peers
    fi
    reason=$(unavailable_reason "${cmd[@]}")
    if [[ -z $reason && $needs != - ]] && ! command -v "$needs" >/dev/null 2>&1; then
        reason="$needs not installed"
    fi
    if [[ -n $reason ]]; then
        reason=${reason//"$REPO_ROOT/"/}  # keep machine paths out of the report
        note "skipping $name: $reason"
        SKIPPED+=("$name ($reason)")
        continue
    fi
    note "starting $name: ${cmd[*]}"
    start_server "$name" "${cmd[@]}"
    allowed_status=(0)
    [[ $name == "$ISID_NAME" ]] || allowed_status+=(143)  # a peer may die of SIGTERM

    sleep 0.5
    idle_kib=$(rss_kib "$SERVER_PID")
    note "$name: $IDLE_CONNECTIONS idle connections"
    measure_idle_connections "$name" "$kind" "$SERVER_PORT"
    printf '%s\t%s\t%s\t%s\n' "$name" "$kind" "$idle_kib" "$IDLE_RSS_KIB" >>"$MEMORY"

    for workload in "${WORKLOADS[@]}"; do
        read -r wname clients streams <<<"$workload"
        if [[ $wname == c1-* ]]; then requests=$REQUESTS_C1; else requests=$REQUESTS_C50; fi
        if [[ $kind == grpc ]]; then
            "$PYTHON" Benchmarks/peers/greeter_check.py "127.0.0.1:$SERVER_PORT" ||
                die "$name: SayHello check failed before $wname"
        fi
        warmup=$((requests / 10 > 5000 ? 5000 : requests / 10))
        ((warmup >= clients)) || warmup=$clients
        run_h2load "$kind" "$UNARY_PATH" "$BODY" "$clients" "$streams" "$warmup" "$SERVER_PORT" "$WORK/warmup.txt"
        before=$(cpu_ticks "$SERVER_PID")
        out=$WORK/$name-$wname.txt
        note "$name $wname: $requests requests"
        run_h2load "$kind" "$UNARY_PATH" "$BODY" "$clients" "$streams" "$requests" "$SERVER_PORT" "$out"
        after=$(cpu_ticks "$SERVER_PID")
        rss=$(peak_rss_kib "$SERVER_PID")
        check_h2load "$name $wname" "$out" "$requests" $((requests * REPLY_FRAME_BYTES)) \
            "$requests replies of $REPLY_FRAME_BYTES bytes"
        if [[ $kind == grpc ]]; then
            "$PYTHON" Benchmarks/peers/greeter_check.py "127.0.0.1:$SERVER_PORT" ||
                die "$name: SayHello check failed after $wname"
        fi
        core_use "$name $wname" $((after - before)) "$requests" 1
        rss_mib=$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$wname" "$H2_RPS" "$(to_ms "$H2_MEAN")" \
            "$(to_ms "$H2_MAX")" "$CPU_US" "$rss_mib" "$SERVER_PCT" "$H2LOAD_PCT" "$OTHER_PCT" >>"$RESULTS"
    done
    measure_stream "$name" "$kind" "$SERVER_PORT"
    stop_server "$name" "${allowed_status[@]}"
done

# -- report --------------------------------------------------------------------
TABLE=$WORK/table.md
awk -F'\t' -v isid="$ISID_NAME" -v bound="$H2LOAD_BOUND_PERCENT" -v spoiled="$OTHER_LOAD_PERCENT" '
    function ratio(a, b) { return (b > 0 && a > 0) ? sprintf("%.2f×", a / b) : "—" }
    {
        rows[NR] = $0
        if ($1 == isid) { rps[$3] = $4; mean[$3] = $5; cpu[$3] = $7 }
    }
    END {
        print "| server | workload | req/s | mean latency (ms) | max latency (ms) | server CPU per request (µs) | peak RSS (MiB) | core use: server / h2load / other | bound by | Isid req/s ÷ this | Isid CPU per request ÷ this | Isid mean latency ÷ this |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|"
        for (i = 1; i <= NR; i++) {
            split(rows[i], f, "\t")
            label = f[1] (f[2] == "static" ? " (static file, not gRPC)" : "")
            if (f[11] >= spoiled) limit = "**other load**"
            else if (f[10] >= bound) limit = "**h2load**"
            else if (f[9] >= bound) limit = "server"
            else limit = "neither"
            r1 = r2 = r3 = "—"
            if (f[1] != isid && (f[3] in rps)) {
                r1 = ratio(rps[f[3]], f[4]); r2 = ratio(cpu[f[3]], f[7]); r3 = ratio(mean[f[3]], f[5])
            }
            printf "| %s | %s | %.0f | %s | %s | %s | %s | %s%% / %s%% / %s%% | %s | %s | %s | %s |\n",
                label, f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], limit, r1, r2, r3
        }
    }' "$RESULTS" >"$TABLE"
MEMORY_TABLE=$WORK/memory.md
awk -F'\t' -v isid="$ISID_NAME" -v n="$IDLE_CONNECTIONS" '
    function ratio(a, b) { return (b > 0 && a > 0) ? sprintf("%.2f×", a / b) : "—" }
    {
        rows[NR] = $0
        per[NR] = ($4 - $3) / n
        if ($1 == isid) { isid_idle = $3; isid_per = per[NR] }
    }
    END {
        printf "| server | RSS idle (MiB) | RSS with %d idle connections (MiB) | per idle connection (KiB) | Isid idle RSS ÷ this | Isid per connection ÷ this |\n", n
        print "|---|---:|---:|---:|---:|---:|"
        for (i = 1; i <= NR; i++) {
            split(rows[i], f, "\t")
            label = f[1] (f[2] == "static" ? " (static file, not gRPC)" : "")
            r1 = r2 = "—"
            if (f[1] != isid && isid_idle != "") { r1 = ratio(isid_idle, f[3]); r2 = ratio(isid_per, per[i]) }
            printf "| %s | %.1f | %.1f | %.1f | %s | %s |\n", label, f[3] / 1024, f[4] / 1024, per[i], r1, r2
        }
    }' "$MEMORY" >"$MEMORY_TABLE"
STREAM_TABLE=$WORK/stream.md
awk -F'\t' -v isid="$ISID_NAME" -v bound="$H2LOAD_BOUND_PERCENT" -v spoiled="$OTHER_LOAD_PERCENT" '
    function ratio(a, b) { return (b > 0 && a > 0) ? sprintf("%.2f×", a / b) : "—" }
    {
        rows[NR] = $0
        if ($1 == isid) { isid_mps = $4; isid_cpu = $6 }
    }
    END {
        print "| server | calls/s | messages/s | MiB/s | server CPU per message (µs) | peak RSS (MiB) | core use: server / h2load / other | bound by | Isid messages/s ÷ this | Isid CPU per message ÷ this |"
        print "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"
        for (i = 1; i <= NR; i++) {
            split(rows[i], f, "\t")
            label = f[1] (f[2] == "static" ? " (static file, not gRPC)" : "")
            if (f[10] >= spoiled) limit = "**other load**"
            else if (f[9] >= bound) limit = "**h2load**"
            else if (f[8] >= bound) limit = "server"
            else limit = "neither"
            r1 = r2 = "—"
            if (f[1] != isid && isid_mps != "") { r1 = ratio(isid_mps, f[4]); r2 = ratio(isid_cpu, f[6]) }
            printf "| %s | %s | %s | %s | %s | %s | %s%% / %s%% / %s%% | %s | %s | %s |\n",
                label, f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], limit, r1, r2
        }
    }' "$STREAM_RESULTS" >"$STREAM_TABLE"

MODEL=$(lscpu | sed -nE 's/^Model name:[[:space:]]+//p' | head -n1)
H2LOAD_VERSION=$(h2load --version | head -n1)
COMMAND="scripts/bench.sh"
((QUICK)) && COMMAND+=" --quick"
((QUICK)) || COMMAND+=" --requests $REQUESTS_C50 --requests-c1 $REQUESTS_C1 --idle-connections $IDLE_CONNECTIONS"
((QUICK)) || COMMAND+=" --stream-calls $STREAM_CALLS --stream-messages $STREAM_MESSAGES"
[[ $PEERS_ARG == all ]] || COMMAND+=" --peers $PEERS_ARG"
[[ -z $BASELINE ]] || COMMAND+=" --baseline $BASELINE"
REPORT=$WORK/report.md
{
    echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') with \`$COMMAND\`"
    echo
    echo "Machine: $(nproc) CPUs ($MODEL), $(uname -sr); $H2LOAD_VERSION;" \
        "workloads c50-m10 = \`-c 50 -m 10 -n $REQUESTS_C50\`, c1-m1 = \`-c 1 -m 1 -n $REQUESTS_C1\`," \
        "streaming = \`-c $STREAM_CLIENTS -m 1 -n $STREAM_CALLS\` with $STREAM_MESSAGES messages per call" \
        "(plus an unmeasured warm-up run each); servers on CPU 0, h2load on CPU 1."
    echo
    echo "Unary \`helloworld.Greeter/SayHello\`:"
    echo
    cat "$TABLE"
    echo
    echo "Memory (VmRSS; idle = right after start, before any call):"
    echo
    cat "$MEMORY_TABLE"
    echo
    echo "Server streaming \`grpc.testing.TestService/StreamingOutputCall\`, $STREAM_MESSAGES messages of" \
        "$STREAM_MESSAGE_SIZE-byte payloads per call (peak RSS: during this run):"
    echo
    cat "$STREAM_TABLE"
    echo
    echo "Targets of the performance issue (Isid's figure ÷ the peer's, this run):"
    echo
    "$PYTHON" Benchmarks/targets.py "$RESULTS" "$MEMORY" "$STREAM_RESULTS"
    if ((CONTENDED)); then
        echo
        echo "**Warning: other processes loaded the two cores during some runs (bound by \"other load\"): rerun on a quiet machine.**"
    fi
    if ((${#SKIPPED[@]})); then
        echo
        for s in "${SKIPPED[@]}"; do echo "Skipped: $s"; done
    fi
} >"$REPORT"

echo
cat "$REPORT"

if ((WRITE)); then
    mkdir -p "$(dirname "$DOC")"
    if [[ ! -f $DOC ]] || ! grep -qF "$BEGIN_MARK" "$DOC" || ! grep -qF "$END_MARK" "$DOC"; then
        printf '# Benchmarks\n\nSee scripts/bench.sh --help.\n\n%s\n%s\n' "$BEGIN_MARK" "$END_MARK" >"$DOC"
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
