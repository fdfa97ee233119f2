#!/usr/bin/env bash
# Leak check: builds Isid's executables with AddressSanitizer (which includes
# LeakSanitizer) and runs the interop suite against them. Any sanitizer report
# from any of our processes -- a leak found at exit, a use-after-free, an
# overflow -- fails the run, and every report is printed.
#
# Usage: scripts/leak-check.sh [--self-test] [PYTEST_ARGS...]
#
#   PYTEST_ARGS       passed to pytest (default: Tests/Interop -q, without IndicatorService's suite)
#   --self-test       prove the check can fail: preload a tiny library that leaks
#                     one malloc'd block into every sanitized process, run a few
#                     cases, and require that the run FAILS with that leak
#                     reported. Exits 0 only if the leak was caught.
#
# How a leak surfaces: LeakSanitizer runs when a process exits, writes its
# report to $REPORT_DIR/asan.<pid> (ASAN_OPTIONS log_path) and makes the exit
# status non-zero. The fixtures SIGTERM every server and require exit status 0,
# and the client cases require interop-client to exit 0, so the test that owns
# the process fails; this script then greps the report files and prints them,
# so a report is never lost in a captured stderr.
#
# Environment: PYTHON (default python3); ISID_ASAN_SCRATCH (build directory,
# default .build-asan); ISID_LEAK_REPORT_DIR (default $ISID_ASAN_SCRATCH/leak-reports).
# Suppressions: scripts/lsan.supp (only for leaks that are neither ours nor
# protobuf-c's nor nghttp2's; each entry says why).
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"
PYTHON=${PYTHON:-python3}
SCRATCH=${ISID_ASAN_SCRATCH:-.build-asan}
REPORT_DIR=${ISID_LEAK_REPORT_DIR:-$SCRATCH/leak-reports}
PRODUCTS=(interop-server interop-client greeter-server)

SELF_TEST=0
if [[ ${1:-} == --self-test ]]; then
    SELF_TEST=1
    shift
fi
if (($# == 0)); then
    if ((SELF_TEST)); then
        # One server case and one client case: enough to show both kinds of process are watched.
        set -- Tests/Interop/test_greeter.py "Tests/Interop/test_interop_client.py::test_interop_client_passes_case_against_grpcio_server[empty_unary]" -q
    else
        # The services' and the gateway's suites are left out: seeding IndicatorService's database takes
        # minutes in a debug ASan build, and the protobuf-c and nghttp2 code they would exercise is the same
        # these servers run.
        set -- Tests/Interop -q --ignore=Tests/Interop/test_indicator_service.py \
        --ignore=Tests/Interop/test_programme_service.py --ignore=Tests/Interop/test_parity_service.py \
        --ignore=Tests/Interop/test_gateway.py --ignore=Tests/Interop/test_gateway_profile.py \
        --ignore=Tests/Interop/test_indicator_service_postgres.py --ignore=Tests/Interop/test_backup_restore.py \
        --ignore=Tests/Interop/test_replicas_postgres.py --ignore=Tests/Interop/test_operations_reference.py \
        --ignore=Tests/Interop/test_allocation_counts.py
    fi
fi

# -- build --------------------------------------------------------------------
# One product at a time, in a scratch directory of its own (never .build).
started=$SECONDS
for product in "${PRODUCTS[@]}"; do
    echo "==> swift build --sanitize=address --scratch-path $SCRATCH --product $product"
    # gold warns once per ASan register-spill helper it cannot export; that is the toolchain's runtime,
    # not our code, and hundreds of such lines would bury anything that matters.
    swift build --sanitize=address --scratch-path "$SCRATCH" --product "$product" 2>&1 |
        { grep -v "warning: Cannot export local symbol '__asan_" || true; }
    if ((PIPESTATUS[0] != 0)); then
        echo "leak-check.sh: building $product with AddressSanitizer failed" >&2
        exit 1
    fi
done
BIN_DIR=$(swift build --sanitize=address --scratch-path "$SCRATCH" --show-bin-path)
echo "==> sanitized build: $((SECONDS - started)) s; executables in $BIN_DIR"

# -- sanitizer settings -----------------------------------------------------
rm -rf "$REPORT_DIR"
mkdir -p "$REPORT_DIR"
REPORT_DIR=$(cd "$REPORT_DIR" && pwd)

# quarantine_size_mb: ASan keeps freed blocks (256 MiB by default) to catch
# use-after-free; 64 MiB keeps that useful while the memory-bound cases of
# test_hostile_peers.py (RSS < 200 MiB) measure the heap rather than the quarantine.
# fast_unwind_on_malloc=0: full stacks through nghttp2/protobuf-c, which Debian
# builds without frame pointers.
export ASAN_OPTIONS="detect_leaks=1:log_path=$REPORT_DIR/asan:halt_on_error=1:quarantine_size_mb=64:fast_unwind_on_malloc=0:malloc_context_size=40"
export LSAN_OPTIONS="suppressions=$REPO_ROOT/scripts/lsan.supp:print_suppressions=1"
SWIFT_BIN=$(dirname "$(readlink -f "$(command -v swift)")")
if [[ -x $SWIFT_BIN/llvm-symbolizer ]]; then
    export ASAN_SYMBOLIZER_PATH=$SWIFT_BIN/llvm-symbolizer
fi
export ISID_BIN_DIR=$BIN_DIR

if ((SELF_TEST)); then
    # A leak the check must find: one block malloc'd at load time and dropped.
    # Built with the toolchain's clang; preloaded into every process (python
    # ignores it: its malloc is not watched).
    cat >"$REPORT_DIR/self-test-leak.c" <<'EOF'
#include <stdlib.h>
void *volatile isid_self_test_sink;
__attribute__((constructor)) static void isid_self_test_leak(void) {
    isid_self_test_sink = malloc(4242);
    isid_self_test_sink = NULL;
}
EOF
    "$SWIFT_BIN/clang" -shared -fPIC -O0 -o "$REPORT_DIR/libself-test-leak.so" "$REPORT_DIR/self-test-leak.c"
    export LD_PRELOAD=$REPORT_DIR/libself-test-leak.so
fi

# -- run --------------------------------------------------------------------
echo "==> $PYTHON -m pytest $* (ISID_BIN_DIR=$BIN_DIR)"
echo "    ASAN_OPTIONS=$ASAN_OPTIONS"
pytest_status=0
"$PYTHON" -m pytest "$@" || pytest_status=$?
unset LD_PRELOAD

# -- reports ------------------------------------------------------------------
shopt -s nullglob
reports=()
for file in "$REPORT_DIR"/asan.*; do
    if grep -qE 'ERROR: (LeakSanitizer|AddressSanitizer)' "$file"; then
        reports+=("$file")
    fi
done
# Swift frames print mangled; swift-demangle rewrites them in place.
show_report() {
    if [[ -x $SWIFT_BIN/swift-demangle ]]; then
        "$SWIFT_BIN/swift-demangle" --simplified <"$1"
    else
        cat "$1"
    fi
}
for file in "${reports[@]}"; do
    printf '\n==> sanitizer report %s\n' "$file"
    show_report "$file"
done
logs=("$REPORT_DIR"/asan.*)
suppressed=0
for file in "${logs[@]}"; do
    if grep -q 'Suppressions used' "$file"; then
        suppressed=$((suppressed + 1))
    fi
done
if ((suppressed > 0)); then
    printf '\n==> %d process(es) had leaks matched by scripts/lsan.supp (count, bytes, pattern):\n' "$suppressed"
    awk '/^ +[0-9]+ +[0-9]+ [^ ]+$/ { print "   ", $0 }' "${logs[@]}"
fi

if ((SELF_TEST)); then
    if ((${#reports[@]} > 0 && pytest_status != 0)) && grep -q 'isid_self_test_leak' "${reports[@]}"; then
        printf '\nleak-check.sh --self-test: ok: the planted leak was reported in %d file(s) and failed the run\n' "${#reports[@]}"
        exit 0
    fi
    printf '\nleak-check.sh --self-test: FAILED: the planted leak went unnoticed (pytest status %d, %d report(s))\n' \
        "$pytest_status" "${#reports[@]}" >&2
    exit 1
fi

if ((${#reports[@]} > 0)); then
    printf '\nleak-check.sh: FAILED: %d sanitizer report(s) above (kept in %s)\n' "${#reports[@]}" "$REPORT_DIR" >&2
    exit 1
fi
if ((pytest_status != 0)); then
    printf '\nleak-check.sh: FAILED: pytest exited with status %d (no sanitizer report)\n' "$pytest_status" >&2
    exit "$pytest_status"
fi
printf '\nleak-check.sh: no leaks and no sanitizer errors\n'
