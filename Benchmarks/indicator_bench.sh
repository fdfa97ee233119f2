#!/usr/bin/env bash
# Benchmark of IndicatorService (indicator-service) with the shipped SDG 9 data
# and with FACTOR times the economy data (synthetic, generated here), driven by
# h2load over cleartext HTTP/2. See docs/BENCHMARKS.md, section IndicatorService.
#
# Usage: Benchmarks/indicator_bench.sh [--quick] [--write] [--factor N]
#                                      [--requests N] [--requests-c1 N]
#
#   --quick          small runs (2000 / 200 requests) and FACTOR 10, for CI
#   --write          also write the results into docs/BENCHMARKS.md between
#                    <!-- indicators:begin --> and <!-- indicators:end -->
#   --factor N       scale of the synthetic data set (default 100)
#   --requests N     requests of the "-c 10 -m 10" runs (default 20000)
#   --requests-c1 N  requests of the "-c 1 -m 1" runs (default 2000)
#
# A run whose reply is large or slow gets fewer requests: at most BYTES_BUDGET
# (default 500 MB, quick 100 MB) of replies per h2load run, and at most
# MAX_SECONDS (default 15, quick 3) at the rate of the warm-up run; at least 100.
#
# Per data set (shipped, then synthetic): `indicator-service import` into a
# fresh SQLite file (wall time and the importer's peak RSS), then the server
# (--port 0, pinned to CPU 0) and its idle RSS with the data loaded, then per
# call and load: a real grpcio call that must answer OK with rows of the
# series, an h2load warm-up, the measured h2load run (pinned to CPU 1, -t 1),
# which must have 0 failed, 0 errored, every response 2xx and exactly one
# reply message of the checked size per request. Server CPU per call is
# utime+stime of the server over the measured run divided by the requests.
#
# Calls (package isid.indicators.v1, service IndicatorService):
#   latest-all  GetLatestValues(series_code=NV_IND_MANF): one row per area, so
#               its result grows with the number of economies
#   latest-2    GetLatestValues(series_code=NV_IND_MANF, area_codes=[DEU, BGD]):
#               a fixed-size result, whatever the table holds
#   query-page  QueryObservations(series_codes=[NV_IND_MANF], page_size=1000):
#               the first page (the maximum page size) of the whole series
#
# The synthetic data set keeps series.csv and the aggregates
# (sdg9_other_areas.csv) and copies every real economy's observation rows,
# unchanged, under FACTOR-1 synthetic economies whose 3-character codes mix
# digits and letters (never an ISO alpha-3 or an M49 code). It has FACTOR
# times the economy observations; the aggregate rows are not multiplied.
#
# Environment: ISID_BIN_DIR (default .build/release), ISID_PROTOS_DIR (default
# Protos), PYTHON (default python3, needs grpcio and grpcio-tools), TMPDIR.
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"

BIN_DIR=${ISID_BIN_DIR:-.build/release}
PROTOS_DIR=${ISID_PROTOS_DIR:-Protos}
PYTHON=${PYTHON:-python3}
HELPER=Benchmarks/indicator_bench.py
SERVICE=$BIN_DIR/indicator-service
DOC=docs/BENCHMARKS.md

FACTOR=100
REQUESTS=20000
REQUESTS_C1=2000
BYTES_BUDGET=500000000
MAX_SECONDS=15
WRITE=0
QUICK=0
STARTUP_TIMEOUT=600
SHUTDOWN_TIMEOUT=30
FACTOR_SET=0

die() { echo "indicator_bench: $*" >&2; exit 1; }
note() { echo "== $*" >&2; }

while (($#)); do
    case $1 in
    --quick) QUICK=1 ;;
    --write) WRITE=1 ;;
    --factor) FACTOR=${2:?}; FACTOR_SET=1; shift ;;
    --requests) REQUESTS=${2:?}; shift ;;
    --requests-c1) REQUESTS_C1=${2:?}; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
    esac
    shift
done
if ((QUICK)); then
    REQUESTS=2000 REQUESTS_C1=200 BYTES_BUDGET=100000000 MAX_SECONDS=3
    ((FACTOR_SET)) || FACTOR=10
fi
((FACTOR >= 2)) || die "--factor must be at least 2"

[[ -x $SERVICE ]] || die "$SERVICE not found (swift build -c release --product indicator-service, or set ISID_BIN_DIR)"
command -v h2load >/dev/null || die "h2load not found (apt-get install nghttp2-client)"
command -v taskset >/dev/null || die "taskset not found (util-linux)"
"$PYTHON" -c 'import grpc, grpc_tools' 2>/dev/null || die "$PYTHON needs grpcio and grpcio-tools"
(($(nproc) >= 2)) || die "needs 2 CPUs (server on CPU 0, h2load on CPU 1)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/isid-indicator-bench.XXXXXX")
SERVER_PID=""
cleanup() {
    if [[ -n $SERVER_PID ]]; then kill -KILL "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

STARTED=$SECONDS
RESULTS=$WORK/results.tsv
: >"$RESULTS"
export PYTHONPATH=$WORK/py${PYTHONPATH:+:$PYTHONPATH}
"$PYTHON" "$HELPER" stubs "$PROTOS_DIR" "$WORK/py"
"$PYTHON" "$HELPER" bodies "$WORK/bodies"
CLK_TCK=$(getconf CLK_TCK)

cpu_ticks() {  # utime + stime of a process (all threads), in clock ticks
    local stat
    stat=$(<"/proc/$1/stat")
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${12} + ${13}))
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
to_ms() {  # h2load duration (185us, 2.50ms, 1.2s) -> milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else printf "?" }'
}

start_server() {  # DB ; sets SERVER_PID, SERVER_PORT
    local out=$WORK/server.stdout err=$WORK/server.stderr deadline line
    : >"$out"
    taskset -c 0 "$SERVICE" --database "$1" --host 127.0.0.1 --port 0 >"$out" 2>"$err" </dev/null &
    SERVER_PID=$!
    deadline=$((SECONDS + STARTUP_TIMEOUT))
    while :; do
        line=$(grep -m1 -E '^listening on [^ ]+:[0-9]+$' "$out" || true)
        [[ -n $line ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$err" >&2; die "server exited before listening"; }
        ((SECONDS < deadline)) || { tail -n 20 "$err" >&2; die "server not listening within ${STARTUP_TIMEOUT}s"; }
        sleep 0.1
    done
    SERVER_PORT=${line##*:}
}

stop_server() {
    local status=0 deadline=$((SECONDS + SHUTDOWN_TIMEOUT))
    kill -TERM "$SERVER_PID"
    while kill -0 "$SERVER_PID" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            kill -KILL "$SERVER_PID" 2>/dev/null || true
            wait "$SERVER_PID" 2>/dev/null || true
            SERVER_PID=""
            die "server did not exit within ${SHUTDOWN_TIMEOUT}s of SIGTERM"
        fi
        sleep 0.1
    done
    wait "$SERVER_PID" || status=$?
    SERVER_PID=""
    ((status == 0)) || { tail -n 20 "$WORK/server.stderr" >&2; die "server exited with status $status after SIGTERM"; }
}

run_h2load() {  # CALL CLIENTS STREAMS REQUESTS OUT
    local method
    case $1 in
    latest-*) method=GetLatestValues ;;
    query-*) method=QueryObservations ;;
    esac
    taskset -c 1 h2load -t 1 -c "$2" -m "$3" -n "$4" -d "$WORK/bodies/$1.bin" \
        -H 'content-type: application/grpc' -H 'te: trailers' \
        "http://127.0.0.1:$SERVER_PORT/isid.indicators.v1.IndicatorService/$method" >"$5" 2>&1 ||
        { cat "$5" >&2; die "h2load failed ($1)"; }
}

bench_dataset() {  # LABEL DATA_DIR
    local label=$1 data=$2 db=$WORK/$1.sqlite t0 t1 import_s import_rss="" rows_total
    rm -f "$db" "$db"-wal "$db"-shm
    note "$label: import $data"
    t0=$(date +%s%N)
    if [[ -x /usr/bin/time ]]; then
        taskset -c 0 /usr/bin/time -f '%M' -o "$WORK/import.time" \
            "$SERVICE" import --database "$db" --data-dir "$data" >"$WORK/import.out" 2>&1 ||
            { cat "$WORK/import.out" >&2; die "import of $data failed"; }
        import_rss=$(mib "$(tail -n 1 "$WORK/import.time")")
    else
        taskset -c 0 "$SERVICE" import --database "$db" --data-dir "$data" >"$WORK/import.out" 2>&1 ||
            { cat "$WORK/import.out" >&2; die "import of $data failed"; }
    fi
    t1=$(date +%s%N)
    import_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    cat "$WORK/import.out" >&2
    rows_total=$(sed -nE 's/.*observations: ([0-9]+) inserted.*/\1/p' "$WORK/import.out")
    [[ -n $rows_total ]] || die "could not read the imported row count"
    local db_mib
    db_mib=$(mib $(($(stat -c %s "$db") / 1024)))

    start_server "$db"
    sleep 1
    local idle
    idle=$(mib "$(rss_kib "$SERVER_PID")")
    printf 'data\t%s\t%s\t%s\t%s\t%s\n' "$label" "$rows_total" "$import_s${import_rss:+ (peak RSS $import_rss MiB)}" \
        "$db_mib" "$idle" >>"$RESULTS"
    note "$label: $rows_total observations, import ${import_s}s, database ${db_mib} MiB, idle RSS ${idle} MiB"

    local call load clients streams requests check rows bytes n warmup out before after rss rps
    local done_ succeeded failed errored ok2xx got mean cpu_us
    for call in latest-all latest-2 query-page; do
        for load in "c10-m10 10 10 $REQUESTS" "c1-m1 1 1 $REQUESTS_C1"; do
            read -r load clients streams requests <<<"$load"
            check=$("$PYTHON" "$HELPER" check "127.0.0.1:$SERVER_PORT" "$call") || die "$label $call: check failed"
            read -r rows bytes <<<"$check"
            n=$((BYTES_BUDGET / bytes))
            ((n <= requests)) || n=$requests
            ((n >= 100)) || n=100
            ((n >= clients * streams)) || n=$((clients * streams))
            warmup=$((n / 10 > 200 ? 200 : n / 10))
            ((warmup >= clients * streams)) || warmup=$((clients * streams))
            run_h2load "$call" "$clients" "$streams" "$warmup" "$WORK/warmup.txt"
            rps=$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$WORK/warmup.txt")
            rps=$(awk -v r="${rps:-0}" -v s="$MAX_SECONDS" 'BEGIN { printf "%d", r * s }')
            ((n <= rps)) || n=$rps
            ((n >= 100)) || n=100
            ((n >= clients * streams)) || n=$((clients * streams))
            note "$label $call $load: $rows rows ($bytes bytes) per reply, $n requests"
            out=$WORK/$label-$call-$load.txt
            before=$(cpu_ticks "$SERVER_PID")
            run_h2load "$call" "$clients" "$streams" "$n" "$out"
            after=$(cpu_ticks "$SERVER_PID")
            rss=$(mib "$(peak_rss_kib "$SERVER_PID")")
            rps=$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$out")
            read -r done_ succeeded failed errored < <(sed -nE \
                's/^requests: [0-9]+ total, [0-9]+ started, ([0-9]+) done, ([0-9]+) succeeded, ([0-9]+) failed, ([0-9]+) errored.*/\1 \2 \3 \4/p' "$out") || true
            ok2xx=$(sed -nE 's/^status codes: ([0-9]+) 2xx.*/\1/p' "$out")
            got=$(sed -nE 's/^traffic: .* \(([0-9]+)\) data.*/\1/p' "$out")
            read -r _ _ _ _ _ mean _ < <(grep -E '^time for request:' "$out") || true
            [[ -n $rps && -n $succeeded && -n $ok2xx && -n $got && -n $mean ]] ||
                { cat "$out" >&2; die "$label $call $load: could not parse h2load's output"; }
            if ((failed != 0 || errored != 0 || succeeded != n || ok2xx != n)); then
                cat "$out" >&2
                die "$label $call $load: $failed failed, $errored errored, $succeeded succeeded, $ok2xx 2xx of $n"
            fi
            ((got == n * bytes)) ||
                { cat "$out" >&2; die "$label $call $load: $got DATA bytes, expected $n replies of $bytes bytes"; }
            cpu_us=$(awk -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN { printf "%.0f", t / hz / n * 1e6 }')
            printf 'run\t%s\t%s\t%s\t%s (n=%s)\t%.0f\t%s\t%s\t%s\n' "$label" "$call" "$rows" "$load" "$n" "$rps" \
                "$(to_ms "$mean")" "$cpu_us" "$rss" >>"$RESULTS"
        done
    done
    "$PYTHON" "$HELPER" check "127.0.0.1:$SERVER_PORT" latest-2 >/dev/null || die "$label: check failed after the runs"
    stop_server
    rm -f "$db" "$db"-wal "$db"-shm
}

bench_dataset "shipped" Data/sdg9
note "generating ${FACTOR}x synthetic data"
"$PYTHON" "$HELPER" synth Data/sdg9 "$WORK/synthetic" "$FACTOR" >&2
bench_dataset "${FACTOR}x-economies" "$WORK/synthetic"

note "done in $((SECONDS - STARTED))s"
HOST_CPU=$(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
ISID_BENCH_NOTES="Measured by \`Benchmarks/indicator_bench.sh$( ((QUICK)) && echo ' --quick')$( ((FACTOR_SET)) && echo " --factor $FACTOR")\` on $(date -u +%Y-%m-%d), $HOST_CPU, $(nproc) CPUs: server pinned to CPU 0, h2load to CPU 1 (\`-t 1\`), cleartext HTTP/2, a fresh SQLite database per data set. \"shipped\" is \`Data/sdg9\`; \"${FACTOR}x-economies\" copies every real economy's observations under $((FACTOR - 1)) synthetic economies (aggregate rows not multiplied). \`latest-all\` is \`GetLatestValues(series_code=NV_IND_MANF)\` (one row per area, so it grows with the economies), \`latest-2\` the same for \`area_codes=[DEU, BGD]\`, \`query-page\` \`QueryObservations(series_codes=[NV_IND_MANF], page_size=1000)\` (the first, full page of the series). Each run was checked: a grpcio call answered OK with rows first, then h2load with 0 failed or errored and exactly one reply of that size per request. Server CPU is utime+stime over the run per call; peak RSS is the server's VmHWM after the run; import is the wall time of \`indicator-service import\` into an empty file."
export ISID_BENCH_NOTES
if ((WRITE)); then
    "$PYTHON" "$HELPER" table "$RESULTS" --write "$DOC"
    note "wrote $DOC"
else
    "$PYTHON" "$HELPER" table "$RESULTS"
fi
