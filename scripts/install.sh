#!/usr/bin/env bash
# Installs what Isid needs on Debian 12 (with Swift already installed): the system packages from apt and the
# Python packages from Tests/Interop/requirements.txt. Idempotent, and quick when everything is there: it
# checks first and installs only what is missing.
#
# Usage: scripts/install.sh [--build]
#
#   --build   only what building and running the servers needs (scripts/start.sh): the C libraries Isid
#             links (libnghttp2, libprotobuf-c, SQLite, zlib) and pkg-config
#   (none)    everything: also the tools and Python packages the tests, code generation, benchmarks and
#             deploy checks use (what .ci/run and scripts/test.sh need)
#
# As root it installs; otherwise it prints the exact command to run as root and exits 1 when something is
# missing.
set -euo pipefail

cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
export DEBIAN_FRONTEND=noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
# Debian's own python3 refuses system-wide pip installs (PEP 668); allow them, as the test machines are ours
# to change. Ignored where pip has no such check.
export PIP_BREAK_SYSTEM_PACKAGES=1

BUILD_PACKAGES=(
    pkg-config
    libnghttp2-dev
    libprotobuf-c-dev
    libsqlite3-dev
    zlib1g-dev
)
TEST_PACKAGES=(
    # Code generation (scripts/generate-protos.sh) and its freshness check in CI.
    protobuf-c-compiler
    protobuf-compiler
    libprotobuf-dev
    grpc-proto
    # h2load for the benchmarks; nghttpx, the proxy the gateway benchmark measures itself against.
    nghttp2-client
    nghttp2-proxy
    # curl: the gateway benchmark reads its metrics; the README's examples use it.
    curl
    valgrind
    procps
    util-linux
    # The PostgreSQL server the storage tests run against (scripts/test-postgres.sh starts it), with psql,
    # pg_dump and pg_restore; sqlite3 for the SQLite backup test.
    postgresql
    sqlite3
    # scripts/validate-deploy.sh builds its throw-away venv with `python3 -m venv` (it fetches promtool
    # itself with apt-get download, so the prometheus package and its daemon are not installed).
    python3-venv
)

packages=("${BUILD_PACKAGES[@]}")
with_python=1
case ${1:-} in
    --build) with_python=0 ;;
    "") packages+=("${TEST_PACKAGES[@]}") ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done

# Which requirement lines are not satisfied by what is installed (name and exact version).
missing_python() {
    "$PYTHON" - Tests/Interop/requirements.txt <<'PY'
import sys
from importlib import metadata
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, version = line.partition("==")
    try:
        if version and metadata.version(name) != version:
            print(line)
    except metadata.PackageNotFoundError:
        print(line)
PY
}
python_missing=""
((with_python)) && python_missing=$(missing_python)

if ((${#missing[@]} == 0)) && [[ -z $python_missing ]]; then
    echo "install.sh: everything is installed"
    exit 0
fi

apt_command="apt-get update -q && apt-get install -y -q --no-install-recommends ${missing[*]}"
pip_command="$PYTHON -m pip install -q -r Tests/Interop/requirements.txt"
if ((EUID != 0)); then
    echo "install.sh: missing: ${missing[*]} ${python_missing//$'\n'/ }" >&2
    echo "install.sh: run as root (from $(pwd)):" >&2
    ((${#missing[@]})) && echo "  $apt_command" >&2
    [[ -n $python_missing ]] && echo "  PIP_BREAK_SYSTEM_PACKAGES=1 $pip_command" >&2
    exit 1
fi
if ((${#missing[@]})); then
    echo "==> $apt_command"
    apt-get update -q </dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
fi
if [[ -n $python_missing ]]; then
    echo "==> $pip_command"
    $pip_command </dev/null
fi
