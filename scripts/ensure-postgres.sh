#!/usr/bin/env bash
# Make sure the PostgreSQL used by the tests answers, starting the local cluster if it is stopped,
# and that the database named in the URL exists. Exit 1 if PostgreSQL cannot be reached.
set -u
url="${1:-postgres://postgres@127.0.0.1:5432/ancrage}"
hostport="${url#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=5432
user="${url#*://}"; user="${user%%@*}"; user="${user%%:*}"
dbname="${url##*/}"; dbname="${dbname%%\?*}"

ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1; then
  echo "ensure-postgres: pg_isready not found (Debian package postgresql-client)" >&2
  exit 1
fi
if ! ready && [ "$host" = "127.0.0.1" -o "$host" = "localhost" ] && [ -d /etc/postgresql ]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "ensure-postgres: starting the local PostgreSQL $version cluster"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 \
    || su postgres -c "pg_ctlcluster $version main start" >/dev/null 2>&1 || true
  for _ in $(seq 1 30); do ready && break; sleep 1; done
fi
ready || { echo "ensure-postgres: no PostgreSQL answers on $host:$port" >&2; exit 1; }

exists=$(psql -h "$host" -p "$port" -U "$user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$dbname'" 2>/dev/null)
if [ "$exists" != "1" ]; then
  psql -h "$host" -p "$port" -U "$user" -d postgres -qc "CREATE DATABASE \"$dbname\"" >/dev/null \
    || { echo "ensure-postgres: cannot create database $dbname" >&2; exit 1; }
fi
exit 0
