#!/usr/bin/env bash
# The benchmark, one command: every table and target of docs/BENCHMARKS.md from one run, so that ratios hold.
# Driven by h2load (Debian package nghttp2-client) over cleartext HTTP/2 (HTTP/1.1 for the gateway's JSON GETs),
# servers pinned to CPU 0 and h2load to CPU 1. Three sections, in this order:
#
#   greeter   unary helloworld.Greeter/SayHello and server-streaming grpc.testing.TestService/
#             StreamingOutputCall (1 KiB messages): Isid's greeter-server against peer gRPC servers (grpc-go,
#             gRPC C++, grpc-swift-2, Python grpcio) and nghttpd serving static files (the ceiling, not gRPC);
#             idle RSS and RSS with N idle connections
#   services  the pollers' calls and the other services' reads, each beside the greeter call measured in the
#             same section (the base of every ratio): IndicatorService on the shipped data (GetLatestValues for
#             2 areas, the same answered "unchanged", every area of the series, a 1,000-row QueryObservations
#             page); the latest-values call through the gateway as gRPC and as JSON GET with and without
#             If-None-Match; a minimal call (GetDataSource) direct, through the gateway and through nghttpx;
#             the greeter call through the gateway (a passthrough route); every gateway call with an API key;
#             ProgrammeService list and portfolio summary and ParityService compliance report at SCALE times
#             the seeded data (synthetic copies); idle RSS of every service with its data loaded
#   import    indicator-service import of FACTOR times the shipped economies (synthetic: 82 times the rows at
#             the default 100), wall time and peak RSS; with the real shipped imports and the IATI imports
#             measured in the services section
#
# Usage: scripts/bench.sh [--quick] [--write] [--only SECTIONS] [--peers LIST] [--no-build] [--baseline REF]
#                         [--requests N] [--requests-c1 N] [--idle-connections N]
#                         [--stream-calls N] [--stream-messages N] [--seconds S] [--scale N] [--factor N]
#
#   --quick          CI's smoke run, seconds long, no threshold checked: 2000 requests per greeter workload, 50
#                    streaming calls, 100 idle connections, 0.5 s per services run, SCALE 10, FACTOR 2; builds
#                    nothing: a peer that is not built yet is skipped
#   --write          also write the results into docs/BENCHMARKS.md (between its bench: markers; needs every
#                    section)
#   --only SECTIONS  comma-separated sections to run: greeter, services, import (default: all three)
#   --peers LIST     comma-separated peers to build and run beside Isid in the greeter section, from grpc-go,
#                    grpc-cpp, grpc-swift, grpcio-python, nghttpd; "all" (the default) or "none"
#                    (env ISID_BENCH_PEERS)
#   --no-build       build nothing (neither Isid nor peers); skip what is missing
#   --baseline REF   also measure Isid's greeter-server as of git commit REF (e.g. a change's parent), built from
#                    a detached worktree in the peers' build directory, as the peer "isid@REF": a change's before
#                    and after figures from one run (env ISID_BENCH_BASELINE)
#   --requests N     requests for the greeter's "-c 50 -m 10" workload (default 200000)
#   --requests-c1 N  requests for the greeter's "-c 1 -m 1" workload (default 20000)
#   --idle-connections N
#                    connections held open for the greeter section's memory figures (default 1000)
#   --stream-calls N calls for the streaming workload, "-c 10 -m 1" (default 10000)
#   --stream-messages N
#                    messages of 1 KiB each streaming call returns (default 100)
#   --seconds S      wall time each measured run of the services section aims at (default 5): its request
#                    count is the warm-up's calls/s times S, at most 200000
#   --scale N        ProgrammeService and ParityService data: N times the seeded records (default 100)
#   --factor N       the import section's data: N times the shipped economies (default 100)
#
# Without --quick or --no-build, everything is first built or brought up to date: Isid's executables (swift
# build -c release, unless ISID_BIN_DIR is set) and the selected peers (Benchmarks/build-peers.sh, which
# apt-get installs missing Debian packages; the grpc-swift peer's first build takes minutes).
#
# Environment: ISID_BIN_DIR (default <repo>/.build/release), ISID_PROTOS_DIR (default <repo>/Protos),
# ISID_BENCH_PEERS, ISID_BENCH_BUILD_DIR (default <repo>/Benchmarks/.build-peers), PYTHON (default python3,
# with grpcio and grpcio-tools: Tests/Interop/requirements.txt).
#
# Every server follows the server contract (--host, --port 0, one line "listening on HOST:PORT" on stdout,
# SIGTERM exits 0; nghttpd and nghttpx, not ours, may die of the signal). Every measured run is checked: a real
# grpcio call first (the answer's rows, Benchmarks/workloads.py; the greeter's reply, Benchmarks/peers/*_check.py),
# then h2load must report no failed or errored request, every status 2xx (3xx for a 304 workload) and exactly
# the DATA bytes of one answer per request (N messages per streaming call); otherwise the script fails. CPU per
# call is utime+stime (/proc/PID/stat) of every process on the call's path (the service, and the gateway or
# proxy when the call goes through one) over the measured run, divided by the calls. h2load's own CPU time is
# measured too: a run where it used >= 90% of its core is marked as bound by h2load, not by the server; one
# where other processes used >= 15% of a core as spoiled by other load.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"

BIN_DIR=${ISID_BIN_DIR:-$REPO_ROOT/.build/release}
PROTOS_DIR=${ISID_PROTOS_DIR:-$REPO_ROOT/Protos}
PEER_BUILD_DIR=${ISID_BENCH_BUILD_DIR:-$REPO_ROOT/Benchmarks/.build-peers}
PYTHON=${PYTHON:-python3}
export ISID_PROTOS_DIR=$PROTOS_DIR ISID_BENCH_BUILD_DIR=$PEER_BUILD_DIR PYTHON
WORKLOADS_PY=Benchmarks/workloads.py
BENCH_NAME=bench.sh
# shellcheck source=Benchmarks/lib.sh
source Benchmarks/lib.sh

# Servers of the greeter section: one entry per server, "NAME KIND NEEDS COMMAND...". KIND is grpc (POST
# SayHello and StreamingOutputCall, checked with a grpcio client) or static (GET of a file at each path, no
# gRPC). NEEDS is a program that must be on PATH, or "-". COMMAND is run from the repository root, with "--host
# 127.0.0.1 --port 0" appended, and must follow the server contract. An entry whose program is not on PATH, or
# one of whose path-like words (containing "/") does not exist, is skipped. The first entry is Isid; the ratio
# columns compare it with every other entry. (Paths must not contain spaces.) Benchmarks/build-peers.sh builds
# the peers.
SERVERS=(
    "isid           grpc    -        $BIN_DIR/greeter-server"
    "grpc-go        grpc    -        $PEER_BUILD_DIR/go-greeter"
    "grpc-cpp       grpc    -        $PEER_BUILD_DIR/cpp-greeter"
    "grpc-swift     grpc    -        Benchmarks/.build/release/grpc-swift-greeter"
    "grpcio-python  grpc    -        $PYTHON Benchmarks/peers/python_greeter_server.py"
    "nghttpd        static  nghttpd  Benchmarks/peers/nghttpd_static.sh"
)
ALL_PEERS=(grpc-go grpc-cpp grpc-swift grpcio-python nghttpd)
ALL_SECTIONS=(greeter services import)
PRODUCTS=(greeter-server indicator-service gateway programme-service parity-service)

WORKLOADS=("c50-m10 50 10" "c1-m1 1 1")  # NAME CLIENTS MAX_CONCURRENT_STREAMS
REQUESTS_C50=200000
REQUESTS_C1=20000
IDLE_CONNECTIONS=1000
# Streaming: ten connections with one call each at a time keep the server's core busy (one connection leaves it
# waiting between calls) while every stream has its connection to itself, like independent subscribers; streams
# multiplexed on one connection would measure how a server batches writes across them instead.
STREAM_CLIENTS=10
STREAM_CALLS=10000
STREAM_MESSAGES=100
STREAM_MESSAGE_SIZE=1024
UNARY_PATH=/helloworld.Greeter/SayHello
STREAM_PATH=/grpc.testing.TestService/StreamingOutputCall
# The services section: each measured run aims at RUN_SECONDS of wall time, after a warm-up of a fifth of that,
# with at least MIN_REQUESTS and at most MAX_REQUESTS calls.
RUN_SECONDS=5
MIN_REQUESTS=20
MAX_REQUESTS=200000
SCALE=100
FACTOR=100
LATEST_JSON="/v1/indicators/NV_IND_MANF/latest?area_codes=DEU&area_codes=BGD"
PEERS_ARG=${ISID_BENCH_PEERS:-all}
BASELINE=${ISID_BENCH_BASELINE:-}
ONLY_ARG=all
WRITE=0
QUICK=0
BUILD=1
STARTUP_TIMEOUT=120
SHUTDOWN_TIMEOUT=15
H2LOAD_TIMEOUT=900
H2LOAD_BOUND_PERCENT=90  # h2load at or above this share of its core: it was the limit
OTHER_LOAD_PERCENT=15    # other processes at or above this share of a core: the run is spoiled
DOC=docs/BENCHMARKS.md
BEGIN_MARK='<!-- bench:begin -->'
END_MARK='<!-- bench:end -->'

REQUESTS_SET=0
IDLE_SET=0
STREAM_SET=0
SECONDS_SET=0
SCALE_SET=0
FACTOR_SET=0
while (($#)); do
    case $1 in
        --quick) QUICK=1 ;;
        --write) WRITE=1 ;;
        --no-build) BUILD=0 ;;
        --only) ONLY_ARG=${2:?--only needs a list}; shift ;;
        --peers) PEERS_ARG=${2:?--peers needs a list}; shift ;;
        --baseline) BASELINE=${2:?--baseline needs a git commit}; shift ;;
        --requests) REQUESTS_C50=${2:?--requests needs a number}; REQUESTS_SET=1; shift ;;
        --requests-c1) REQUESTS_C1=${2:?--requests-c1 needs a number}; REQUESTS_SET=1; shift ;;
        --idle-connections) IDLE_CONNECTIONS=${2:?--idle-connections needs a number}; IDLE_SET=1; shift ;;
        --stream-calls) STREAM_CALLS=${2:?--stream-calls needs a number}; STREAM_SET=1; shift ;;
        --stream-messages) STREAM_MESSAGES=${2:?--stream-messages needs a number}; shift ;;
        --seconds) RUN_SECONDS=${2:?--seconds needs a number}; SECONDS_SET=1; shift ;;
        --scale) SCALE=${2:?--scale needs a number}; SCALE_SET=1; shift ;;
        --factor) FACTOR=${2:?--factor needs a number}; FACTOR_SET=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
    shift
done
if ((QUICK)); then
    ((REQUESTS_SET)) || { REQUESTS_C50=2000; REQUESTS_C1=2000; }
    ((IDLE_SET)) || IDLE_CONNECTIONS=100
    ((STREAM_SET)) || STREAM_CALLS=50
    ((SECONDS_SET)) || RUN_SECONDS=0.5
    ((SCALE_SET)) || SCALE=10
    ((FACTOR_SET)) || FACTOR=2
    MAX_REQUESTS=20000
    BUILD=0
fi
[[ $REQUESTS_C50 =~ ^[0-9]+$ && $REQUESTS_C50 -ge 50 ]] || die "--requests must be a number >= 50"
[[ $REQUESTS_C1 =~ ^[0-9]+$ && $REQUESTS_C1 -ge 1 ]] || die "--requests-c1 must be a positive number"
[[ $IDLE_CONNECTIONS =~ ^[0-9]+$ && $IDLE_CONNECTIONS -ge 1 ]] || die "--idle-connections must be a positive number"
[[ $STREAM_CALLS =~ ^[0-9]+$ && $STREAM_CALLS -ge $STREAM_CLIENTS ]] ||
    die "--stream-calls must be a number >= $STREAM_CLIENTS"
[[ $STREAM_MESSAGES =~ ^[0-9]+$ && $STREAM_MESSAGES -ge 1 ]] || die "--stream-messages must be a positive number"
if ! [[ $RUN_SECONDS =~ ^[0-9]+(\.[0-9]+)?$ ]] || ! awk -v s="$RUN_SECONDS" 'BEGIN { exit !(s > 0) }'; then
    die "--seconds must be a positive number"
fi
[[ $SCALE =~ ^[0-9]+$ && $SCALE -ge 1 ]] || die "--scale must be a positive number"
[[ $FACTOR =~ ^[0-9]+$ && $FACTOR -ge 2 ]] || die "--factor must be a number >= 2"
export ISID_BENCH_STREAM_MESSAGES=$STREAM_MESSAGES  # the nghttpd ceiling serves that many

case $ONLY_ARG in
    all) SECTIONS=("${ALL_SECTIONS[@]}") ;;
    *) IFS=', ' read -r -a SECTIONS <<<"$ONLY_ARG" ;;
esac
for section in "${SECTIONS[@]}"; do
    [[ " ${ALL_SECTIONS[*]} " == *" $section "* ]] ||
        die "unknown section '$section' (known: ${ALL_SECTIONS[*]}, all)"
done
runs() { [[ " ${SECTIONS[*]} " == *" $1 "* ]]; }
if ((WRITE)) && ((${#SECTIONS[@]} < ${#ALL_SECTIONS[@]})); then
    die "--write needs every section (every table of $DOC comes from one run); drop --only"
fi

case $PEERS_ARG in
    all) PEERS=("${ALL_PEERS[@]}") ;;
    none) PEERS=() ;;
    *) IFS=', ' read -r -a PEERS <<<"$PEERS_ARG" ;;
esac
for peer in "${PEERS[@]}"; do
    [[ " ${ALL_PEERS[*]} " == *" $peer "* ]] || die "unknown peer '$peer' (known: ${ALL_PEERS[*]}, all, none)"
done
runs greeter || PEERS=()

for tool in h2load protoc taskset timeout "$PYTHON"; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install nghttp2-client protobuf-compiler util-linux)"
done
for proto in grpc/examples/helloworld.proto grpc/testing/test.proto; do
    [[ -f $PROTOS_DIR/$proto ]] || die "$PROTOS_DIR/$proto missing"
done
"$PYTHON" -c 'import grpc, grpc_tools' 2>/dev/null ||
    die "$PYTHON needs grpcio and grpcio-tools (pip install -r Tests/Interop/requirements.txt)"

# -- build what is missing (not with --quick or --no-build) -------------------------------------------------------
if ((BUILD)); then
    if [[ -z ${ISID_BIN_DIR:-} ]]; then
        start=$SECONDS
        for product in "${PRODUCTS[@]}"; do
            note "building Isid: swift build -c release --product $product"
            swift build -c release --product "$product"
        done
        note "Isid's swift build finished in $((SECONDS - start)) s"
    fi
    if ((${#PEERS[@]})); then
        note "building peers: Benchmarks/build-peers.sh ${PEERS[*]}"
        Benchmarks/build-peers.sh "${PEERS[@]}"
    fi
fi
for product in "${PRODUCTS[@]}"; do
    if [[ $product == greeter-server ]] || runs services || { [[ $product == indicator-service ]] && runs import; }; then
        [[ -x $BIN_DIR/$product ]] ||
            die "$BIN_DIR/$product not built (swift build -c release --product $product, or set ISID_BIN_DIR)"
    fi
done

# -- the baseline: Isid as of another commit, measured like a peer ------------------------------------------------
if [[ -n $BASELINE ]] && runs greeter; then
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
HOLDER_PID=""
cleanup() {
    if [[ -n $HOLDER_PID ]] && kill -0 "$HOLDER_PID" 2>/dev/null; then kill -KILL "$HOLDER_PID" 2>/dev/null || true; fi
    kill_started_servers
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Idle connections need a file descriptor each, in the holder and the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
RUN_STARTED=$SECONDS

# Results of the run, as tab-separated files for the report:
RESULTS=$WORK/results.tsv        # greeter: server kind workload rps mean max cpu_us rss_mib server% h2load% other%
MEMORY=$WORK/memory.tsv          # greeter: server kind idle_kib with_n_kib
STREAM_RESULTS=$WORK/stream.tsv  # greeter: server kind calls/s messages/s MiB/s cpu_us_per_message rss_mib s% h% o%
SERVICE_RESULTS=$WORK/services.tsv  # see record_run
SERVICE_MEMORY=$WORK/service-memory.tsv  # service data start_ms idle_kib end_kib peak_kib
IMPORTS=$WORK/imports.tsv        # label rows wall_s peak_kib database_bytes
: >"$RESULTS"
: >"$MEMORY"
: >"$STREAM_RESULTS"
: >"$SERVICE_RESULTS"
: >"$SERVICE_MEMORY"
: >"$IMPORTS"
SKIPPED=()
NOTES=()

# == the greeter section: Isid's greeter-server against the peers ================================================
HELLO=grpc/examples/helloworld.proto
BODY=$WORK/hello-request.bin
grpc_frame $HELLO helloworld.HelloRequest 'name: "world"' "$BODY"
grpc_frame $HELLO helloworld.HelloReply 'message: "Hello world"' "$WORK/hello-reply.bin"
REPLY_FRAME_BYTES=$(stat -c %s "$WORK/hello-reply.bin")
# StreamingOutputCallRequest{response_parameters: N x {size: 1024}}; each reply is a StreamingOutputCallResponse
# with a payload of 1024 zero bytes.
STREAM_BODY=$WORK/stream-request.bin
grpc_frame grpc/testing/test.proto grpc.testing.StreamingOutputCallRequest \
    "$(for ((i = 0; i < STREAM_MESSAGES; i++)); do echo "response_parameters { size: $STREAM_MESSAGE_SIZE }"; done)" \
    "$STREAM_BODY"
grpc_frame grpc/testing/test.proto grpc.testing.StreamingOutputCallResponse \
    "payload { body: \"$(printf '\\000%.0s' $(seq "$STREAM_MESSAGE_SIZE"))\" }" "$WORK/stream-reply.bin"
STREAM_FRAME_BYTES=$(stat -c %s "$WORK/stream-reply.bin")

greeter_h2load() {  # KIND PATH BODY CLIENTS STREAMS REQUESTS PORT OUTPUT (BODY: the POST body of a grpc KIND)
    local request=()
    [[ $1 == grpc ]] && request=(-d "$3" -H 'content-type: application/grpc' -H 'te: trailers')
    run_h2load "$8" -c "$4" -m "$5" -n "$6" "${request[@]}" "http://127.0.0.1:$7$2"
}

# Idle connections: RSS after N connections have each completed one call and stay open, idle. Sets IDLE_RSS_KIB.
measure_idle_connections() {  # NAME KIND PORT PID
    local name=$1 kind=$2 port=$3 pid=$4 out=$WORK/$1.holder deadline request holder_fd
    if [[ $kind == grpc ]]; then request=(--grpc "$UNARY_PATH" "$BODY"); else request=(--get "$UNARY_PATH"); fi
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
    IDLE_RSS_KIB=$(rss_kib "$pid")
    exec {holder_fd}>&-
    wait "$HOLDER_PID" || { cat "$out.err" >&2; die "$name: an idle connection failed while held"; }
    HOLDER_PID=""
    rm -f "$WORK/holder.in"
    sleep 0.5  # let the server notice the closes
}

# The streaming workload against the running server: STREAM_CALLS calls of STREAM_MESSAGES messages each, -c 10
# -m 1, after a warm-up; appends a row to STREAM_RESULTS.
measure_stream() {  # NAME KIND PORT PID
    local name=$1 kind=$2 port=$3 pid=$4 out=$WORK/$1-stream.txt warmup before after rss messages
    messages=$((STREAM_CALLS * STREAM_MESSAGES))
    if [[ $kind == grpc ]]; then
        "$PYTHON" Benchmarks/peers/streaming_check.py "127.0.0.1:$port" "$STREAM_MESSAGES" "$STREAM_MESSAGE_SIZE" ||
            die "$name: StreamingOutputCall check failed before the streaming run (built before it had one?)"
    fi
    warmup=$((STREAM_CALLS / 10 > 1000 ? 1000 : STREAM_CALLS / 10))
    ((warmup >= STREAM_CLIENTS)) || warmup=$STREAM_CLIENTS
    greeter_h2load "$kind" "$STREAM_PATH" "$STREAM_BODY" "$STREAM_CLIENTS" 1 "$warmup" "$port" "$WORK/warmup.txt"
    reset_peak_rss "$pid"  # the peak of this run, not of the idle-connection phase
    before=$(cpu_ticks "$pid")
    note "$name stream: $STREAM_CALLS calls of $STREAM_MESSAGES messages"
    greeter_h2load "$kind" "$STREAM_PATH" "$STREAM_BODY" "$STREAM_CLIENTS" 1 "$STREAM_CALLS" "$port" "$out"
    after=$(cpu_ticks "$pid")
    rss=$(peak_rss_kib "$pid")
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

greeter_section() {
    local entry words name kind needs cmd reason allowed_status idle_kib workload wname clients streams requests
    local warmup before after out rss pid port
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
        pid=$SERVER_PID
        port=$SERVER_PORT
        allowed_status=(0)
        [[ $name == "$ISID_NAME" ]] || allowed_status+=(143)  # a peer may die of SIGTERM

        sleep 0.5
        idle_kib=$(rss_kib "$pid")
        note "$name: $IDLE_CONNECTIONS idle connections"
        measure_idle_connections "$name" "$kind" "$port" "$pid"
        printf '%s\t%s\t%s\t%s\n' "$name" "$kind" "$idle_kib" "$IDLE_RSS_KIB" >>"$MEMORY"

        for workload in "${WORKLOADS[@]}"; do
            read -r wname clients streams <<<"$workload"
            if [[ $wname == c1-* ]]; then requests=$REQUESTS_C1; else requests=$REQUESTS_C50; fi
            if [[ $kind == grpc ]]; then
                "$PYTHON" Benchmarks/peers/greeter_check.py "127.0.0.1:$port" ||
                    die "$name: SayHello check failed before $wname"
            fi
            warmup=$((requests / 10 > 5000 ? 5000 : requests / 10))
            ((warmup >= clients)) || warmup=$clients
            greeter_h2load "$kind" "$UNARY_PATH" "$BODY" "$clients" "$streams" "$warmup" "$port" "$WORK/warmup.txt"
            before=$(cpu_ticks "$pid")
            out=$WORK/$name-$wname.txt
            note "$name $wname: $requests requests"
            greeter_h2load "$kind" "$UNARY_PATH" "$BODY" "$clients" "$streams" "$requests" "$port" "$out"
            after=$(cpu_ticks "$pid")
            rss=$(peak_rss_kib "$pid")
            check_h2load "$name $wname" "$out" "$requests" $((requests * REPLY_FRAME_BYTES)) \
                "$requests replies of $REPLY_FRAME_BYTES bytes"
            if [[ $kind == grpc ]]; then
                "$PYTHON" Benchmarks/peers/greeter_check.py "127.0.0.1:$port" ||
                    die "$name: SayHello check failed after $wname"
            fi
            core_use "$name $wname" $((after - before)) "$requests" 1
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$kind" "$wname" "$H2_RPS" "$H2_MEAN_MS" \
                "$H2_MAX_MS" "$CPU_US" "$(mib "$rss")" "$SERVER_PCT" "$H2LOAD_PCT" "$OTHER_PCT" >>"$RESULTS"
        done
        measure_stream "$name" "$kind" "$port" "$pid"
        stop_server "$name" "$pid" "${allowed_status[@]}"
    done
}

# == the services section ========================================================================================
# An import (or any command) pinned to the servers' CPU: its wall time and peak RSS, a row of IMPORTS.
IMPORTS_MEASURED=0
measure_import() {  # LABEL ROWS_PATTERN DATABASE COMMAND... (ROWS_PATTERN: sed -E extracting the row count)
    local label=$1 pattern=$2 database=$3 out wall peak rows
    shift 3
    IMPORTS_MEASURED=$((IMPORTS_MEASURED + 1))
    out=$WORK/import-$IMPORTS_MEASURED.out
    note "import: $label"
    read -r wall peak < <("${SERVER_PIN[@]}" "$PYTHON" "$WORKLOADS_PY" measure "$out" "$@") ||
        die "import failed: $label"
    rows=$(sed -nE "$pattern" "$out" | head -n 1)
    [[ -n $rows ]] || { cat "$out" >&2; die "$label: could not read the row count of the import"; }
    printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$rows" "$wall" "$peak" "$(stat -c %s "$database")" >>"$IMPORTS"
    note "import: $label: $rows rows in $wall s, peak RSS $(mib "$peak") MiB"
}

# Whether the gateway takes a passthrough route (a service it has no descriptors for).
gateway_routes() {  # SERVICE=ENDPOINT
    local probe=$WORK/gateway-probe.out pid accepted=0
    "$BIN_DIR/gateway" --passthrough-route "$1" --host 127.0.0.1 --port 0 >"$probe" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 1 200); do
        grep -q '^listening on ' "$probe" && { accepted=1; break; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    ((accepted))
}
free_port() { "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# One measured run of the services section, after a warm-up, appended to SERVICE_RESULTS:
#   id label via load rows requests calls/s mean_ms cpu_us service_cpu_us proxy_cpu_us service_rss_mib
#   proxy_rss_mib server% h2load% other%
# KIND grpc: POST of the body file REQUEST; get: HTTP/1.1 GET; get304: the same with If-None-Match: REQUEST.
# SERVICE_PIDS and PROXY_PIDS (space-separated; PROXY_PIDS may be empty) are the processes on the path.
# CALL_US, one call's time from the check, sizes the warm-up; the warm-up's calls/s the measured run.
measure_run() {  # ID LABEL VIA KIND PORT PATH REQUEST CLIENTS STREAMS ROWS BYTES_PER_CALL CALL_US
    local id=$1 label=$2 via=$3 kind=$4 port=$5 path=$6 req=$7 clients=$8 streams=$9 rows=${10}
    local bytes=${11} call_us=${12} args=() class=2xx warmup n s_before s_after p_before=0 p_after=0 pid
    local service_peak=0 proxy_peak=0 proxy_us="" out=$WORK/run-$1.txt load nm_before=""
    local -a service_pids proxy_pids
    read -r -a service_pids <<<"$SERVICE_PIDS"
    read -r -a proxy_pids <<<"$PROXY_PIDS"
    case $kind in
        grpc) args=(-c "$clients" -m "$streams" -d "$req" -H 'content-type: application/grpc' -H 'te: trailers') ;;
        get) args=(--h1 -c "$clients" -m 1) ;;
        get304) args=(--h1 -c "$clients" -m 1 -H "if-none-match: $req"); class=3xx ;;
        *) die "measure_run: unknown kind $kind" ;;
    esac
    # Calls through the gateway carry the run's API key, as an integration's would.
    [[ $via == gateway* ]] && args+=(-H "authorization: $ISID_BENCH_AUTHORIZATION")
    load="c$clients m$streams"
    [[ $kind == grpc ]] || load="c$clients m1 HTTP/1.1"
    # Warm-up: a fifth of the run's time at one call's speed, at least a call per connection.
    warmup=$(awk -v s="$RUN_SECONDS" -v us="$call_us" -v lo="$clients" -v hi="$MAX_REQUESTS" 'BEGIN {
        n = int(s / 5 * 1e6 / (us > 0 ? us : 1)); hi = int(hi / 10); if (n > hi) n = hi; if (n < lo) n = lo; print n }')
    run_h2load "$WORK/warmup.txt" "${args[@]}" -n "$warmup" "http://127.0.0.1:$port$path"
    check_h2load "$id warm-up" "$WORK/warmup.txt" "$warmup" $((warmup * bytes)) "$warmup answers of $bytes bytes" "$class"
    n=$(awk -v r="$H2_RPS" -v s="$RUN_SECONDS" -v lo="$MIN_REQUESTS" -v c="$clients" -v hi="$MAX_REQUESTS" 'BEGIN {
        n = int(r * s); if (n > hi) n = hi; if (lo < c) lo = c; if (n < lo) n = lo; print n }')
    for pid in "${service_pids[@]}" "${proxy_pids[@]}"; do reset_peak_rss "$pid"; done
    [[ $id == *@gateway && $kind == get304 ]] && nm_before=$("$PYTHON" "$WORKLOADS_PY" not-modified "127.0.0.1:$GATEWAY_METRICS_PORT")
    note "$id ($label, $via, $load): $n calls"
    s_before=$(cpu_ticks "${service_pids[@]}")
    ((${#proxy_pids[@]})) && p_before=$(cpu_ticks "${proxy_pids[@]}")
    run_h2load "$out" "${args[@]}" -n "$n" "http://127.0.0.1:$port$path"
    s_after=$(cpu_ticks "${service_pids[@]}")
    ((${#proxy_pids[@]})) && p_after=$(cpu_ticks "${proxy_pids[@]}")
    for pid in "${service_pids[@]}"; do service_peak=$((service_peak + $(peak_rss_kib "$pid"))); done
    for pid in "${proxy_pids[@]}"; do proxy_peak=$((proxy_peak + $(peak_rss_kib "$pid"))); done
    check_h2load "$id" "$out" "$n" $((n * bytes)) "$n answers of $bytes bytes" "$class"
    if [[ -n $nm_before ]]; then
        local answered
        answered=$(($("$PYTHON" "$WORKLOADS_PY" not-modified "127.0.0.1:$GATEWAY_METRICS_PORT") - nm_before))
        ((answered == n)) || die "$id: the gateway answered $answered of $n conditional GETs by itself"
    fi
    core_use "$id" $((s_after - s_before + p_after - p_before)) "$n" 1
    ((${#proxy_pids[@]})) && proxy_us=$(per_call_us $((p_after - p_before)) "$n")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$label" "$via" "$load" \
        "$rows" "$n" "$H2_RPS" "$H2_MEAN_MS" "$CPU_US" "$(per_call_us $((s_after - s_before)) "$n")" "$proxy_us" \
        "$(mib "$service_peak")" "$( ((${#proxy_pids[@]})) && mib "$proxy_peak")" "$SERVER_PCT" "$H2LOAD_PCT" \
        "$OTHER_PCT" >>"$SERVICE_RESULTS"
}

# prepare ADDRESS_PORT DIR WORKLOAD...: the real calls that check the workloads and write their bodies into DIR;
# sets ROWS[id], BYTES[id] and CALL_US[id] from its lines.
declare -A ROWS BYTES CALL_US CHECKED
prepare() {  # SUFFIX PORT DIR WORKLOAD...
    local suffix=$1 port=$2 dir=$3 name rows bytes us authorization=""
    shift 3
    [[ $suffix == @gateway* ]] && authorization=${ISID_BENCH_AUTHORIZATION:-}
    ISID_BENCH_AUTHORIZATION=$authorization "$PYTHON" "$WORKLOADS_PY" prepare "127.0.0.1:$port" "$dir" "$@" \
        >"$WORK/prepare.txt" ||
        die "the check calls failed at port $port: $*"
    while read -r name rows bytes us; do
        ROWS[$name$suffix]=$rows BYTES[$name$suffix]=$bytes CALL_US[$name$suffix]=$us
        CHECKED[$port]+="$name=$rows/$bytes "
    done <"$WORK/prepare.txt"
}
# The same calls again after the runs: the same rows and sizes, or the benchmark fails.
check_again() {  # PORT DIR WORKLOAD...
    local port=$1 dir=$2 name rows bytes us now=""
    shift 2
    "$PYTHON" "$WORKLOADS_PY" check "127.0.0.1:$port" "$dir" "$@" >"$WORK/check.txt" ||
        die "the check calls after the runs failed at port $port: $*"
    while read -r name rows bytes us; do now+="$name=$rows/$bytes "; done <"$WORK/check.txt"
    [[ $now == "${CHECKED[$port]}" ]] || die "answers changed during the runs at port $port: ${CHECKED[$port]}-> $now"
}

services_section() {
    local data=$WORK/data db_ind=$WORK/indicators.sqlite db_prog=$WORK/programmes.sqlite db_par=$WORK/parity.sqlite
    local iati_real=Data/iati/unido-XM-DAC-41123-activities-2.03.xml line
    mkdir -p "$data"
    # -- data: the shipped indicators, the IATI file SCALE times, the parity seed SCALE times ---------------------
    measure_import "indicator-service import, shipped Data/sdg9 (real)" \
        's/.*observations: ([0-9]+) inserted.*/\1/p' "$db_ind" \
        "$BIN_DIR/indicator-service" import --database "$db_ind" --data-dir Data/sdg9
    measure_import "programme-service import-iati, shipped UNIDO file (real)" \
        's/.*: ([0-9]+) activities .*/\1/p' "$WORK/iati-shipped.sqlite" \
        "$BIN_DIR/programme-service" import-iati --database "$WORK/iati-shipped.sqlite" "$iati_real"
    "$PYTHON" "$WORKLOADS_PY" synth-iati "$iati_real" "$data/iati-x$SCALE.xml" "$SCALE" >/dev/null
    measure_import "programme-service import-iati, ${SCALE}x the UNIDO file (synthetic copies)" \
        's/.*: ([0-9]+) activities .*/\1/p' "$db_prog" \
        "$BIN_DIR/programme-service" import-iati --database "$db_prog" "$data/iati-x$SCALE.xml"
    "$PYTHON" "$WORKLOADS_PY" synth-parity Data/parity/seed.json "$data/parity-x$SCALE.json" "$SCALE" >/dev/null

    # -- the servers, all on CPU 0; idle RSS a second after each start --------------------------------------------
    local -A PID PORT
    record_memory() {  # NAME DATA
        sleep 1
        printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$SERVER_START_MS" "$(rss_kib "$SERVER_PID")" >>"$WORK/idle.tsv"
    }
    : >"$WORK/idle.tsv"
    start_server greeter "$BIN_DIR/greeter-server"
    PID[greeter]=$SERVER_PID PORT[greeter]=$SERVER_PORT
    record_memory greeter-server "none"
    start_server indicators "$BIN_DIR/indicator-service" --database "$db_ind"
    PID[indicators]=$SERVER_PID PORT[indicators]=$SERVER_PORT
    record_memory indicator-service "shipped Data/sdg9"
    start_server programmes "$BIN_DIR/programme-service" --database "$db_prog" --seed-iati ""
    PID[programmes]=$SERVER_PID PORT[programmes]=$SERVER_PORT
    record_memory programme-service "${SCALE}x the IATI file (synthetic)"
    start_server parity "$BIN_DIR/parity-service" --database "$db_par" --seed-parity "$data/parity-x$SCALE.json" \
        --public-reads true
    PID[parity]=$SERVER_PID PORT[parity]=$SERVER_PORT
    record_memory parity-service "${SCALE}x the seed (synthetic; seeded at start)"

    # The gateway in front of IndicatorService (and of the greeter, if it routes helloworld.Greeter), and a
    # second one that always calls through (conditional GETs not answered from the followed revisions).
    ISID_IDENTITY_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
    export ISID_IDENTITY_SECRET
    GATEWAY_METRICS_PORT=$(free_port)
    # One API key (admin: every scope, the passthrough route's too) that every call through a gateway carries.
    ISID_BENCH_AUTHORIZATION="Bearer $(head -c 24 /dev/urandom | base64 | tr -d '\n/+=')"
    export ISID_BENCH_AUTHORIZATION
    printf '{"keys": [{"name": "benchmark", "sha256": "%s", "scopes": ["admin"]}]}\n' \
        "$(printf '%s\n' "${ISID_BENCH_AUTHORIZATION#Bearer }" | "$BIN_DIR/gateway" hash-key)" >"$WORK/keys.json"
    local routes=(--route "isid.indicators.v1.IndicatorService=127.0.0.1:${PORT[indicators]}")
    GATEWAY_GREETER=1
    if gateway_routes "helloworld.Greeter=127.0.0.1:${PORT[greeter]}"; then
        routes+=(--passthrough-route "helloworld.Greeter=127.0.0.1:${PORT[greeter]}")
    else
        GATEWAY_GREETER=0
        NOTES+=("This gateway takes no passthrough route to helloworld.Greeter: \"a greeter call proxied by the gateway\" is estimated as the greeter's CPU per call plus the gateway's own CPU per proxied GetDataSource call (an empty request, a 1 KiB answer).")
    fi
    start_server gateway "$BIN_DIR/gateway" "${routes[@]}" --keys-file "$WORK/keys.json" \
        --metrics-port "$GATEWAY_METRICS_PORT"
    PID[gateway]=$SERVER_PID PORT[gateway]=$SERVER_PORT
    record_memory gateway "routes to indicator-service and the greeter"
    start_server gateway-calling "$BIN_DIR/gateway" "${routes[@]:0:2}" --keys-file "$WORK/keys.json" \
        --revalidation-max-age-seconds 0
    PID[gateway-calling]=$SERVER_PID PORT[gateway-calling]=$SERVER_PORT
    # nghttpx (Debian's nghttp2-proxy), one worker, h2c both ways, in front of the same indicator-service: a
    # reference for the gateway's cost as a proxy.
    PID[nghttpx]=""
    if command -v nghttpx >/dev/null; then
        PORT[nghttpx]=$(free_port)
        "${SERVER_PIN[@]}" nghttpx --frontend="127.0.0.1,${PORT[nghttpx]};no-tls" \
            --backend="127.0.0.1,${PORT[indicators]};;proto=h2" --workers=1 --no-via --no-ocsp \
            --errorlog-file="$WORK/nghttpx.err" --accesslog-file=/dev/null >"$WORK/nghttpx.out" 2>&1 </dev/null &
        PID[nghttpx]=$!
        STARTED_PIDS+=("${PID[nghttpx]}")
        for _ in $(seq 1 100); do
            "$PYTHON" -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' \
                "${PORT[nghttpx]}" 2>/dev/null && break
            sleep 0.1
        done
        # Its worker, a child of the main process, serves the requests; both are counted.
        PID[nghttpx]="${PID[nghttpx]} $(pgrep -P "${PID[nghttpx]}" | head -n 1)"
    else
        SKIPPED+=("nghttpx (not installed: the nghttp2-proxy package)")
    fi

    # -- the check calls, which also write the request bodies -----------------------------------------------------
    local bodies=$WORK/bodies
    prepare "" "${PORT[greeter]}" "$bodies" greeter
    prepare "" "${PORT[indicators]}" "$bodies" data-source latest-2 unchanged latest-all page-1000
    prepare "@gateway" "${PORT[gateway]}" "$WORK/bodies-gateway" data-source latest-2 unchanged
    ((GATEWAY_GREETER)) && prepare "@gateway" "${PORT[gateway]}" "$WORK/bodies-gateway" greeter
    [[ -n ${PID[nghttpx]} ]] && prepare "@nghttpx" "${PORT[nghttpx]}" "$WORK/bodies-nghttpx" data-source
    prepare "" "${PORT[programmes]}" "$bodies" programmes-list programmes-country portfolio-summary
    prepare "" "${PORT[parity]}" "$bodies" compliance-report
    # The JSON GET: its answer, ETag and the 304 with If-None-Match, at each gateway. The gateway answers 304 by
    # itself once it follows the service's change stream: wait for its first such answer.
    local json_bytes etag json_us
    for _ in $(seq 1 100); do
        read -r json_bytes etag json_us < <("$PYTHON" "$WORKLOADS_PY" prepare-json "127.0.0.1:${PORT[gateway]}" \
            "$LATEST_JSON") || die "the JSON GET at the gateway failed"
        (($("$PYTHON" "$WORKLOADS_PY" not-modified "127.0.0.1:$GATEWAY_METRICS_PORT") > 0)) && break
        sleep 0.1
    done
    (($("$PYTHON" "$WORKLOADS_PY" not-modified "127.0.0.1:$GATEWAY_METRICS_PORT") > 0)) ||
        die "the gateway never answered a conditional GET by itself"
    line=$("$PYTHON" "$WORKLOADS_PY" prepare-json "127.0.0.1:${PORT[gateway-calling]}" "$LATEST_JSON") ||
        die "the JSON GET at the second gateway failed"
    [[ ${line#* } == "$etag "* ]] || die "the two gateways gave different ETags: $etag, ${line#* }"

    # -- the runs: the greeter first and last (the base of the ratios), the rest between ---------------------------
    local g=${PID[greeter]} i=${PID[indicators]} gw=${PID[gateway]} gc=${PID[gateway-calling]}
    local ip=${PORT[indicators]} gp=${PORT[gateway]}
    local ind=/isid.indicators.v1.IndicatorService
    SERVICE_PIDS=$g PROXY_PIDS=""
    measure_run greeter "greeter SayHello" direct grpc "${PORT[greeter]}" /helloworld.Greeter/SayHello \
        "$bodies/greeter.bin" 10 10 1 "${BYTES[greeter]}" "${CALL_US[greeter]}"
    if ((GATEWAY_GREETER)); then
        SERVICE_PIDS=$g PROXY_PIDS=$gw
        measure_run greeter@gateway "greeter SayHello" gateway grpc "$gp" /helloworld.Greeter/SayHello \
            "$bodies/greeter.bin" 10 10 1 "${BYTES[greeter@gateway]}" "${CALL_US[greeter@gateway]}"
    fi
    SERVICE_PIDS=$i PROXY_PIDS=""
    measure_run data-source "GetDataSource" direct grpc "$ip" "$ind/GetDataSource" "$bodies/data-source.bin" \
        10 10 1 "${BYTES[data-source]}" "${CALL_US[data-source]}"
    SERVICE_PIDS=$i PROXY_PIDS=$gw
    measure_run data-source@gateway "GetDataSource" gateway grpc "$gp" "$ind/GetDataSource" \
        "$bodies/data-source.bin" 10 10 1 "${BYTES[data-source@gateway]}" "${CALL_US[data-source@gateway]}"
    if [[ -n ${PID[nghttpx]} ]]; then
        SERVICE_PIDS=$i PROXY_PIDS=${PID[nghttpx]}
        measure_run data-source@nghttpx "GetDataSource" "nghttpx (reference proxy)" grpc "${PORT[nghttpx]}" \
            "$ind/GetDataSource" "$bodies/data-source.bin" 10 10 1 "${BYTES[data-source@nghttpx]}" \
            "${CALL_US[data-source@nghttpx]}"
    fi
    SERVICE_PIDS=$i PROXY_PIDS=""
    measure_run latest-2 "GetLatestValues, 2 areas" direct grpc "$ip" "$ind/GetLatestValues" \
        "$bodies/latest-2.bin" 10 10 "${ROWS[latest-2]}" "${BYTES[latest-2]}" "${CALL_US[latest-2]}"
    measure_run unchanged "GetLatestValues, 2 areas, unchanged" direct grpc "$ip" "$ind/GetLatestValues" \
        "$bodies/unchanged.bin" 10 10 "${ROWS[unchanged]}" "${BYTES[unchanged]}" "${CALL_US[unchanged]}"
    measure_run latest-all "GetLatestValues, every area" direct grpc "$ip" "$ind/GetLatestValues" \
        "$bodies/latest-all.bin" 10 10 "${ROWS[latest-all]}" "${BYTES[latest-all]}" "${CALL_US[latest-all]}"
    measure_run page-1000 "QueryObservations, 1,000-row page" direct grpc "$ip" "$ind/QueryObservations" \
        "$bodies/page-1000.bin" 10 10 "${ROWS[page-1000]}" "${BYTES[page-1000]}" "${CALL_US[page-1000]}"
    SERVICE_PIDS=$i PROXY_PIDS=$gw
    measure_run latest-2@gateway "GetLatestValues, 2 areas" gateway grpc "$gp" "$ind/GetLatestValues" \
        "$bodies/latest-2.bin" 10 10 "${ROWS[latest-2@gateway]}" "${BYTES[latest-2@gateway]}" \
        "${CALL_US[latest-2@gateway]}"
    measure_run unchanged@gateway "GetLatestValues, 2 areas, unchanged" gateway grpc "$gp" "$ind/GetLatestValues" \
        "$bodies/unchanged.bin" 10 10 "${ROWS[unchanged@gateway]}" "${BYTES[unchanged@gateway]}" \
        "${CALL_US[unchanged@gateway]}"
    measure_run json-200@gateway "JSON GET latest values, 2 areas: 200" gateway get "$gp" "$LATEST_JSON" - \
        10 1 "${ROWS[latest-2]}" "$json_bytes" "$json_us"
    measure_run json-304@gateway "JSON GET latest values, 2 areas, If-None-Match: 304 by the gateway" gateway \
        get304 "$gp" "$LATEST_JSON" "$etag" 10 1 0 0 "$json_us"
    SERVICE_PIDS=$i PROXY_PIDS=$gc
    measure_run json-304@gateway-calling "JSON GET latest values, 2 areas, If-None-Match: 304 after the call" \
        "gateway, revalidation off" get304 "${PORT[gateway-calling]}" "$LATEST_JSON" "$etag" 10 1 0 0 "$json_us"
    SERVICE_PIDS=${PID[programmes]} PROXY_PIDS=""
    local pp=${PORT[programmes]} prog=/isid.programmes.v1.ProgrammeService
    measure_run programmes-list "ListProgrammes, page of 50" direct grpc "$pp" "$prog/ListProgrammes" \
        "$bodies/programmes-list.bin" 10 10 "${ROWS[programmes-list]}" "${BYTES[programmes-list]}" \
        "${CALL_US[programmes-list]}"
    measure_run programmes-country "ListProgrammes, one country, page of 50" direct grpc "$pp" \
        "$prog/ListProgrammes" "$bodies/programmes-country.bin" 10 10 "${ROWS[programmes-country]}" \
        "${BYTES[programmes-country]}" "${CALL_US[programmes-country]}"
    # The summary reads every programme: one call at a time (c1 m1), or a run holds too few calls.
    measure_run portfolio-summary "GetPortfolioSummary" direct grpc "$pp" "$prog/GetPortfolioSummary" \
        "$bodies/portfolio-summary.bin" 1 1 "${ROWS[portfolio-summary]}" "${BYTES[portfolio-summary]}" \
        "${CALL_US[portfolio-summary]}"
    SERVICE_PIDS=${PID[parity]} PROXY_PIDS=""
    measure_run compliance-report "GetComplianceReport (examples included)" direct grpc "${PORT[parity]}" \
        /isid.parity.v1.ParityService/GetComplianceReport "$bodies/compliance-report.bin" 10 10 \
        "${ROWS[compliance-report]}" "${BYTES[compliance-report]}" "${CALL_US[compliance-report]}"
    SERVICE_PIDS=$g PROXY_PIDS=""
    measure_run greeter-end "greeter SayHello (again, last)" direct grpc "${PORT[greeter]}" \
        /helloworld.Greeter/SayHello "$bodies/greeter.bin" 10 10 1 "${BYTES[greeter]}" "${CALL_US[greeter]}"

    # -- the same answers after the runs; RSS at the end; then SIGTERM, and every one of ours must exit 0 ---------
    check_again "${PORT[indicators]}" "$bodies" data-source latest-2 unchanged latest-all page-1000
    check_again "${PORT[programmes]}" "$bodies" programmes-list programmes-country portfolio-summary
    check_again "${PORT[parity]}" "$bodies" compliance-report
    local name data start_ms idle key
    while IFS=$'\t' read -r name data start_ms idle; do
        case $name in
            greeter-server) key=greeter ;; indicator-service) key=indicators ;; programme-service) key=programmes ;;
            parity-service) key=parity ;; *) key=$name ;;
        esac
        printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$data" "$start_ms" "$idle" "$(rss_kib "${PID[$key]}")" \
            >>"$SERVICE_MEMORY"
    done <"$WORK/idle.tsv"
    if [[ -n ${PID[nghttpx]} ]]; then
        local main=${PID[nghttpx]%% *}
        kill -TERM "$main" 2>/dev/null || true
        wait "$main" 2>/dev/null || true
    fi
    for key in gateway-calling gateway parity programmes indicators greeter; do
        stop_server "$key" "${PID[$key]}" 0
    done
}

# == the import section ==========================================================================================
import_section() {
    local data=$WORK/indicators-x$FACTOR db=$WORK/indicators-x$FACTOR.sqlite
    if ! grep -q '^indicator-service import, shipped' "$IMPORTS"; then  # the services section measures it too
        measure_import "indicator-service import, shipped Data/sdg9 (real)" \
            's/.*observations: ([0-9]+) inserted.*/\1/p' "$WORK/indicators.sqlite" \
            "$BIN_DIR/indicator-service" import --database "$WORK/indicators.sqlite" --data-dir Data/sdg9
    fi
    note "generating ${FACTOR}x the shipped economies (synthetic)"
    "$PYTHON" "$WORKLOADS_PY" synth-indicators Data/sdg9 "$data" "$FACTOR" >/dev/null
    measure_import "indicator-service import, ${FACTOR}x the shipped economies (synthetic)" \
        's/.*observations: ([0-9]+) inserted.*/\1/p' "$db" \
        "$BIN_DIR/indicator-service" import --database "$db" --data-dir "$data"
    rm -rf "$data" "$db" "$db"-wal "$db"-shm
}

runs greeter && greeter_section
runs services && services_section
runs import && import_section
RUN_SECONDS_TOTAL=$((SECONDS - RUN_STARTED))
note "measured in ${RUN_SECONDS_TOTAL} s"

# == report ======================================================================================================
greeter_tables() {
    local isid=${ISID_NAME:-isid}
    echo "Unary \`helloworld.Greeter/SayHello\`:"
    echo
    awk -F'\t' -v isid="$isid" -v bound="$H2LOAD_BOUND_PERCENT" -v spoiled="$OTHER_LOAD_PERCENT" '
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
        }' "$RESULTS"
    echo
    echo "Memory (VmRSS; idle = right after start, before any call):"
    echo
    awk -F'\t' -v isid="$isid" -v n="$IDLE_CONNECTIONS" '
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
        }' "$MEMORY"
    echo
    echo "Server streaming \`grpc.testing.TestService/StreamingOutputCall\`, $STREAM_MESSAGES messages of" \
        "$STREAM_MESSAGE_SIZE-byte payloads per call (peak RSS: during this run):"
    echo
    awk -F'\t' -v isid="$isid" -v bound="$H2LOAD_BOUND_PERCENT" -v spoiled="$OTHER_LOAD_PERCENT" '
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
        }' "$STREAM_RESULTS"
}

MODEL=$(lscpu | sed -nE 's/^Model name:[[:space:]]+//p' | head -n1)
H2LOAD_VERSION=$(h2load --version | head -n1)
COMMAND="scripts/bench.sh"
((QUICK)) && COMMAND+=" --quick"
if ((!QUICK)); then
    runs greeter && COMMAND+=" --requests $REQUESTS_C50 --requests-c1 $REQUESTS_C1 --idle-connections $IDLE_CONNECTIONS"
    runs greeter && COMMAND+=" --stream-calls $STREAM_CALLS --stream-messages $STREAM_MESSAGES"
    runs services && COMMAND+=" --seconds $RUN_SECONDS --scale $SCALE"
    runs import && COMMAND+=" --factor $FACTOR"
fi
[[ $ONLY_ARG == all ]] || COMMAND+=" --only $ONLY_ARG"
[[ $PEERS_ARG == all ]] || ! runs greeter || COMMAND+=" --peers $PEERS_ARG"
[[ -z $BASELINE ]] || ! runs greeter || COMMAND+=" --baseline $BASELINE"
LOAD_AVERAGE=$(cut -d' ' -f1-3 /proc/loadavg)
REPORT=$WORK/report.md
{
    echo "Run: $(date -u '+%Y-%m-%d %H:%M UTC') with \`$COMMAND\`, ${RUN_SECONDS_TOTAL} s."
    echo
    echo "Machine: $(nproc) CPUs ($MODEL), $(uname -sr); $H2LOAD_VERSION; servers (and importers) on CPU 0," \
        "h2load on CPU 1 (\`-t 1\`); load average when the report was written: $LOAD_AVERAGE."
    if runs greeter; then
        echo
        echo "### The greeter against the peers"
        echo
        echo "Workloads c50-m10 = \`-c 50 -m 10 -n $REQUESTS_C50\`, c1-m1 = \`-c 1 -m 1 -n $REQUESTS_C1\`," \
            "streaming = \`-c $STREAM_CLIENTS -m 1 -n $STREAM_CALLS\` with $STREAM_MESSAGES messages per call (plus" \
            "an unmeasured warm-up run each)."
        echo
        greeter_tables
    fi
    if runs services || runs import; then
        echo
        "$PYTHON" Benchmarks/report.py services --results "$SERVICE_RESULTS" --memory "$SERVICE_MEMORY" \
            --imports "$IMPORTS" --seconds "$RUN_SECONDS" --scale "$SCALE" --factor "$FACTOR" \
            --bound "$H2LOAD_BOUND_PERCENT" --spoiled "$OTHER_LOAD_PERCENT"
    fi
    echo
    echo "### Targets"
    echo
    echo "Ratios of this run (Isid's figure ÷ the peer's, or the call's server CPU ÷ the greeter call's):"
    echo
    "$PYTHON" Benchmarks/report.py targets --greeter "$RESULTS" --greeter-memory "$MEMORY" \
        --greeter-stream "$STREAM_RESULTS" --services "$SERVICE_RESULTS" --imports "$IMPORTS" \
        --spoiled "$OTHER_LOAD_PERCENT"
    for line in "${NOTES[@]}"; do
        echo
        echo "$line"
    done
    if ((CONTENDED)); then
        echo
        echo "**Warning: other processes loaded the two cores during some runs (bound by \"other load\"): their" \
            "figures are spoiled; rerun on a quiet machine.**"
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
