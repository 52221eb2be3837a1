#!/usr/bin/env bash
# Start Debian's PostgreSQL on this machine (loopback and its Unix socket only) for the DuckLake
# back end, and create a database and a role for the current user. Prints the libpq connection
# string to use as CHIPWATCH_DUCKLAKE_CATALOG. Needs root (apt-get, the postgres account).
set -euo pipefail
database="${1:-chipwatch_lake}"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
pg_lsclusters -h | grep -q "^${version} main" || pg_createcluster "${version}" main >/dev/null 2>&1
pg_ctlcluster "${version}" main start >/dev/null 2>&1 || true
user="$(id -un)"
# A role named after this user: peer authentication on the Unix socket, no password anywhere.
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname = '${user}'\"" | grep -q 1 \
  || su postgres -c "createuser --superuser '${user}'"
su postgres -c "psql -qtAc \"select 1 from pg_database where datname = '${database}'\"" | grep -q 1 \
  || su postgres -c "createdb --owner='${user}' '${database}'"
echo "dbname=${database} host=/var/run/postgresql user=${user}"
