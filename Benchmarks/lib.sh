# Shell functions of the benchmark (sourced by scripts/bench.sh; not run on its own): starting and stopping
# servers that follow the server contract, h2load runs and their checks, and the CPU and memory figures read
# from /proc.
#
# The sourcing script sets, before calling these: WORK (a scratch directory), BENCH_NAME (the prefix of its
# messages), SERVER_PIN and LOAD_PIN (arrays: the taskset command that pins servers to CPU 0 and h2load to
# CPU 1, or empty), STARTUP_TIMEOUT, SHUTDOWN_TIMEOUT, H2LOAD_TIMEOUT (seconds) and OTHER_LOAD_PERCENT.
# shellcheck shell=bash
# Variables set here are read by the sourcing script, and those it sets are read here:
# shellcheck disable=SC2034,SC2153

die() { echo "$BENCH_NAME: $*" >&2; exit 1; }
note() { echo "$BENCH_NAME: $*" >&2; }

CLK_TCK=$(getconf CLK_TCK)
STARTED_PIDS=()  # every server started, killed on exit if still running
CONTENDED=0      # set when other processes loaded the cores during a measured run

# -- /proc figures -------------------------------------------------------------------------------------------------
cpu_ticks() {  # PID... : utime + stime of the processes (all their threads, living and ended), in clock ticks
    local pid stat total=0
    for pid in "$@"; do
        stat=$(<"/proc/$pid/stat")
        stat=${stat##*) }
        # shellcheck disable=SC2086  # split into fields on purpose
        set -- $stat
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}
children_cpu_ticks() {  # cutime + cstime of this shell: its waited-for children (h2load)
    local stat
    stat=$(<"/proc/$$/stat")
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    echo $((${14} + ${15}))
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
peak_rss_kib() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status"; }
# Writing 5 to clear_refs resets VmHWM (the peak RSS) to the current RSS: the next peak is that of what follows.
reset_peak_rss() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || note "WARNING: could not reset the peak RSS of $1"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
now_ns() { date +%s%N; }
# Busy ticks of CPUs 0 and 1 together: user, nice, system and steal (time the host gave to others). Not irq and
# softirq: that is mostly the loopback traffic of the run itself, which the kernel accounts to no process.
cores_busy_ticks() {
    awk '$1 == "cpu0" || $1 == "cpu1" { busy += $2 + $3 + $4 + $9 } END { print busy }' /proc/stat
}
to_ms() {  # h2load duration (e.g. 185us, 2.50ms, 1.2s) -> milliseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
        else { printf "?" } }'
}

# -- servers -------------------------------------------------------------------------------------------------------
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

# Starts COMMAND pinned to the servers' CPU with "--host 127.0.0.1 --port 0" appended and waits for its line
# "listening on HOST:PORT". Sets SERVER_PID, SERVER_PORT and SERVER_START_MS (start to listening). Its output
# goes to $WORK/NAME.stdout and .stderr.
start_server() {  # NAME COMMAND...
    local name=$1 out=$WORK/$1.stdout err=$WORK/$1.stderr deadline line start
    shift
    : >"$out"
    start=$(now_ns)
    TMPDIR=$WORK/tmp "${SERVER_PIN[@]}" "$@" --host 127.0.0.1 --port 0 >"$out" 2>"$err" </dev/null &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
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
        sleep 0.05
    done
    SERVER_START_MS=$((($(now_ns) - start) / 1000000))
    SERVER_PORT=${line##*:}
}

stop_server() {  # NAME PID ALLOWED_STATUS...: SIGTERM, then the exit status must be one of them
    local name=$1 pid=$2 status=0 deadline=$((SECONDS + SHUTDOWN_TIMEOUT))
    shift 2
    kill -TERM "$pid"
    while kill -0 "$pid" 2>/dev/null; do
        if ((SECONDS >= deadline)); then
            kill -KILL "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
            die "$name did not exit within ${SHUTDOWN_TIMEOUT}s of SIGTERM"
        fi
        sleep 0.05
    done
    wait "$pid" || status=$?
    [[ " $* " == *" $status "* ]] ||
        { tail -n 20 "$WORK/$name.stderr" >&2 || true; die "$name exited with status $status after SIGTERM"; }
}

kill_started_servers() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
}

# -- h2load --------------------------------------------------------------------------------------------------------
# Runs h2load pinned to the load CPU with one thread: run_h2load OUTPUT ARGUMENTS... (every argument after -t 1).
# h2load runs in this shell (not a subshell), so its CPU time lands in this shell's children times: sets
# H2LOAD_CPU_TICKS and H2LOAD_WALL_NS, and CORES_BUSY_TICKS, the busy time of CPUs 0 and 1 (/proc/stat) over the
# run: what is neither the servers' nor h2load's is other load, which spoils the run.
run_h2load() {
    local output=$1 before start busy status=0
    shift
    before=$(children_cpu_ticks)
    busy=$(cores_busy_ticks)
    start=$(now_ns)
    timeout "$H2LOAD_TIMEOUT" "${LOAD_PIN[@]}" h2load -t 1 "$@" >"$output" 2>&1 || status=$?
    if ((status != 0)); then
        cat "$output" >&2
        die "h2load failed (exit status $status): h2load -t 1 $*"
    fi
    H2LOAD_WALL_NS=$(($(now_ns) - start))
    CORES_BUSY_TICKS=$(($(cores_busy_ticks) - busy))
    H2LOAD_CPU_TICKS=$(($(children_cpu_ticks) - before))
}

# Reads h2load's report into H2_RPS, H2_ELAPSED_MS, H2_DATA, H2_MEAN_MS and H2_MAX_MS, and fails the benchmark
# unless the run was clean: no failed or errored request, all REQUESTS succeeded with a status of STATUS_CLASS
# (2xx, or 3xx for a 304 workload), and exactly EXPECTED_DATA bytes of DATA came back (the answers asked for).
check_h2load() {  # LABEL OUTPUT REQUESTS EXPECTED_DATA EXPECTED_WHAT [STATUS_CLASS]
    local label=$1 out=$2 requests=$3 class=${6:-2xx} done_="" succeeded="" failed="" errored="" codes="" ok
    local elapsed mean max
    elapsed=$(sed -nE 's/^finished in ([^,]+), .*/\1/p' "$out")
    H2_RPS=$(sed -nE 's/^finished in [^,]+, ([0-9.]+) req\/s.*/\1/p' "$out")
    read -r done_ succeeded failed errored < <(sed -nE \
        's/^requests: [0-9]+ total, [0-9]+ started, ([0-9]+) done, ([0-9]+) succeeded, ([0-9]+) failed, ([0-9]+) errored.*/\1 \2 \3 \4/p' "$out") || true
    codes=$(sed -nE 's/^status codes: (.*)$/\1/p' "$out")
    ok=$(sed -nE "s/.*(^|, )([0-9]+) $class.*/\\2/p" <<<"$codes")
    H2_DATA=$(sed -nE 's/^traffic: .* \(([0-9]+)\) data.*/\1/p' "$out")
    read -r _ _ _ _ max mean _ < <(grep -E '^time for request:' "$out") || true
    [[ -n $elapsed && -n $H2_RPS && -n $done_ && -n $ok && -n $H2_DATA && -n $mean ]] ||
        { cat "$out" >&2; die "$label: could not parse h2load's output"; }
    H2_ELAPSED_MS=$(to_ms "$elapsed")
    H2_MEAN_MS=$(to_ms "$mean")
    H2_MAX_MS=$(to_ms "$max")
    if ((failed != 0 || errored != 0 || succeeded != requests || ok != requests)); then
        cat "$out" >&2
        die "$label: $failed failed, $errored errored, $succeeded succeeded, $ok $class of $requests"
    fi
    if ((H2_DATA != $4)); then
        cat "$out" >&2
        die "$label: $H2_DATA DATA bytes, expected $4 ($5)"
    fi
}

# CPU per unit (request or message) in microseconds of TICKS, the CPU time of the processes on the path, and the
# core use of the last h2load run (those processes, h2load, other, in percent of one core): sets CPU_US,
# SERVER_PCT, H2LOAD_PCT, OTHER_PCT; warns when other load spoiled it.
core_use() {  # LABEL TICKS UNITS DECIMALS
    read -r CPU_US SERVER_PCT H2LOAD_PCT OTHER_PCT < <(awk -v t="$2" -v h="$H2LOAD_CPU_TICKS" \
        -v busy="$CORES_BUSY_TICKS" -v hz="$CLK_TCK" -v n="$3" -v d="$4" -v wall="$H2LOAD_WALL_NS" 'BEGIN {
            w = wall / 1e9; other = busy - t - h; if (other < 0) other = 0
            printf "%.*f %.0f %.0f %.0f\n", d, t / hz / n * 1e6, 100 * t / hz / w, 100 * h / hz / w, 100 * other / hz / w }')
    if ((OTHER_PCT >= OTHER_LOAD_PERCENT)); then
        note "WARNING: $1: other processes used ${OTHER_PCT}% of a core during the run; its figures are spoiled"
        CONTENDED=1
    fi
}
per_call_us() { awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN { printf "%.1f", t / hz / n * 1e6 }'; }

# -- request bodies ------------------------------------------------------------------------------------------------
grpc_frame() {  # PROTO MESSAGE_TYPE TEXT_FORMAT OUTPUT: 5-byte gRPC prefix + the message (protoc --encode)
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
