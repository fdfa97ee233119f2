#!/usr/bin/env bash
# The project's test command: everything CI runs, in order, stopping at the
# first failing step with a message naming it.
#
# Usage: scripts/test.sh
#
#   1. scripts/install.sh                  the apt and pip packages (quick when all are there)
#   2. scripts/lint.sh                     swift format lint, no Foundation in the core layers
#   3. scripts/check-generated-code.sh     (if present) generated code is current
#   4. pytest Tests/Interop --python-peer  harness self-check: the interop cases,
#                                          stand-in servers and fixtures against
#                                          each other (stock grpcio only, ~20 s)
#   5. swift build -c release --build-tests   one release build: executables,
#                                             libraries and test targets
#   6. scripts/validate-deploy.sh          deploy/ files against offline validators
#                                          (yamllint, kubernetes-validate, compose
#                                          schema, hadolint, promtool; the built
#                                          gateway run with each config file)
#   7. scripts/test-postgres.sh            a PostgreSQL server on loopback for the storage tests
#   8. swift test -c release --skip-build     Swift Testing + XCTest (storage on SQLite and PostgreSQL)
#   9. swift test --sanitize=thread        the HTTP/2 transport's, the core's and Lock's tests in
#        --scratch-path .build-tsan        a debug build under ThreadSanitizer: the
#        --filter 'RPCHTTP2Tests|RPCCoreTests|IsidSyncTests'
#                                          `@unchecked Sendable` types rest on event-loop
#                                          confinement that only debug builds assert, and
#                                          TSan sees what the assertions miss; any report
#                                          fails (the first build ~5 min on 2 shared
#                                          cores, later ones a minute or two; the tests
#                                          a few seconds)
#  10. pytest Tests/Interop                Isid's executables against stock grpcio
#  11. scripts/leak-check.sh               the same suite against AddressSanitizer/
#                                          LeakSanitizer builds in .build-asan (~2 min
#                                          with the build); any sanitizer report fails
#  12. scripts/bench.sh --quick            benchmark smoke run (no thresholds)
#
# Installs what it needs itself (scripts/install.sh: as root, or it prints the command to run as root).
# Environment: PYTHON (default python3); SWIFT_BUILD_FLAGS (extra words for
# step 5, e.g. "-Xswiftc -enable-testing").
set -euo pipefail

REPO_ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO_ROOT"
PYTHON=${PYTHON:-python3}
read -r -a EXTRA_BUILD_FLAGS <<<"${SWIFT_BUILD_FLAGS:-}"

STEP=0
run_step() {  # DESCRIPTION COMMAND...
    local description=$1 started=$SECONDS status=0
    shift
    STEP=$((STEP + 1))
    printf '\n==> [%d] %s\n    $ %s\n' "$STEP" "$description" "$*"
    "$@" || status=$?
    if ((status != 0)); then
        printf '\ntest.sh: FAILED at step %d (%s): "%s" exited with status %d\n' \
            "$STEP" "$description" "$*" "$status" >&2
        exit "$status"
    fi
    printf '==> [%d] %s: ok (%ds)\n' "$STEP" "$description" $((SECONDS - started))
}

run_step "packages installed (apt, pip; only what is missing)" bash scripts/install.sh
run_step "style and layering (swift format lint, imports)" bash scripts/lint.sh

if [[ -f scripts/check-generated-code.sh ]]; then
    run_step "generated code is up to date" bash scripts/check-generated-code.sh
else
    printf '==> scripts/check-generated-code.sh not present; skipped\n'
fi

run_step "interop harness self-check (Python stand-ins, no Isid code)" \
    "$PYTHON" -m pytest Tests/Interop --python-peer -q

run_step "release build of products and tests" \
    swift build -c release --build-tests "${EXTRA_BUILD_FLAGS[@]}"

BIN_DIR=$(swift build -c release --show-bin-path)
export ISID_BIN_DIR=$BIN_DIR

run_step "deploy files pass the offline validators (and the built gateway runs with their configs)" \
    env GATEWAY="$BIN_DIR/gateway" bash scripts/validate-deploy.sh

# The storage tests run against SQLite and a real PostgreSQL server on loopback, each test in a database of its own.
run_step "PostgreSQL for the storage tests (scripts/test-postgres.sh)" bash scripts/test-postgres.sh
ISID_TEST_POSTGRES_URL=$(bash scripts/test-postgres.sh)
export ISID_TEST_POSTGRES_URL

run_step "Swift unit tests (release)" \
    swift test -c release --skip-build

# halt_on_error makes the first race fail the run instead of a warning in the log.
run_step "HTTP/2 and core tests under ThreadSanitizer (debug)" \
    env TSAN_OPTIONS="halt_on_error=1 ${TSAN_OPTIONS:-}" \
    swift test --sanitize=thread --scratch-path .build-tsan --filter 'RPCHTTP2Tests|RPCCoreTests|IsidSyncTests'

run_step "interop: Isid's executables against stock grpcio" \
    "$PYTHON" -m pytest Tests/Interop

run_step "leak check: interop suite against ASan/LSan builds" \
    scripts/leak-check.sh

run_step "benchmark smoke run" \
    scripts/bench.sh --quick

printf '\ntest.sh: all %d steps passed\n' "$STEP"
