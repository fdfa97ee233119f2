#!/usr/bin/env bash
# Makes sure a PostgreSQL server for the tests runs on loopback, and prints its URL: Debian's cluster
# (pg_ctlcluster), with a role `isid_test` that may create databases (each storage test makes its own and
# drops it). Needs the `postgresql` package (scripts/install.sh) and root, or a running server whose
# `isid_test` role exists; otherwise it prints the commands to run as root.
#
# Usage: export ISID_TEST_POSTGRES_URL=$(scripts/test-postgres.sh)
set -euo pipefail

URL="postgres://isid_test:isid_test@127.0.0.1:5432/isid_test?sslmode=disable"
VERSION=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
[[ -n $VERSION ]] || { echo "test-postgres.sh: PostgreSQL is not installed (scripts/install.sh)" >&2; exit 1; }

as_postgres() { su postgres -s /bin/sh -c "$1"; }
if ((EUID != 0)); then
    if psql "$URL" -tAc 'SELECT 1' >/dev/null 2>&1; then
        echo "$URL"
        exit 0
    fi
    echo "test-postgres.sh: no test server answers at $URL; as root run scripts/test-postgres.sh" >&2
    exit 1
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" && $4 == "online" { found = 1 } END { exit !found }'; then
    pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" { found = 1 } END { exit !found }' ||
        pg_createcluster "$VERSION" main >/dev/null
    pg_ctlcluster "$VERSION" main start
fi
if [[ $(as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname = 'isid_test'\"") != 1 ]]; then
    as_postgres "psql -q -c \"CREATE ROLE isid_test LOGIN CREATEDB PASSWORD 'isid_test'\""
fi
if [[ $(as_postgres "psql -tAc \"SELECT 1 FROM pg_database WHERE datname = 'isid_test'\"") != 1 ]]; then
    as_postgres "createdb -O isid_test isid_test"
fi
echo "$URL"
