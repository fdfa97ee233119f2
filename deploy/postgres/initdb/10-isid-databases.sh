#!/usr/bin/env bash
# Isid's databases on a new PostgreSQL server: one database per service, owned by a login role of the same name
# (no superuser, no CREATEDB, no CREATEROLE) that only it and the superuser may connect to. Each service creates
# its tables in its own database when it starts (migrations).
#
# The postgres image runs every file in /docker-entrypoint-initdb.d once, when it starts on an empty data
# directory, as the superuser (POSTGRES_USER) over the Unix socket. deploy/compose.yaml mounts this folder there;
# Kubernetes gets the same file from the ConfigMap postgres-initdb in deploy/k8s/25-postgres.yaml (keep the two
# equal; scripts/validate-deploy.sh checks it). Each role's password comes from the environment variable named
# below, which the Compose service and the StatefulSet set.
#
# It can run again, by hand, on a server that already has data: it adds what is missing and sets each role's
# password to the one in the environment (after rotating it; the services' URLs must follow):
#   docker compose -f deploy/compose.yaml exec postgres bash /docker-entrypoint-initdb.d/10-isid-databases.sh
#   kubectl -n isid exec postgres-0 -- bash /docker-entrypoint-initdb.d/10-isid-databases.sh
set -eo pipefail

# create_database ROLE DATABASE PASSWORD_VARIABLE
create_database() {
    local role=$1 database=$2 variable=$3
    if [[ -z ${!variable:-} ]]; then
        echo "10-isid-databases.sh: $variable (the password of the role $role) is not set" >&2
        return 1
    fi
    echo "10-isid-databases.sh: role and database $database for $role"
    # The password reaches psql through its environment (\getenv, psql 15 or later), not its command line, and
    # the SQL quotes every name and value (format's %I and %L).
    ISID_ROLE_PASSWORD=${!variable} psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-${POSTGRES_USER:-postgres}}" \
        --set role="$role" --set database="$database" <<'SQL'
\getenv password ISID_ROLE_PASSWORD
SELECT format('CREATE ROLE %I', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role')
\gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'role', :'password')
\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database')
\gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'database', :'role')
\gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'database')
\gexec
SQL
}

create_database indicators indicators ISID_INDICATORS_DB_PASSWORD
create_database programmes programmes ISID_PROGRAMMES_DB_PASSWORD
create_database parity parity ISID_PARITY_DB_PASSWORD
