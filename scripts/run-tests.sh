#!/usr/bin/env bash
# The whole suite: lint, then every test on SQLite, then again on PostgreSQL.
# With CI=true a missing PostgreSQL (or Chromium, see tests/e2e) is an error, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export DJANGO_SETTINGS_MODULE=ancrage.settings
ci="${CI:-false}"
# One pytest worker per processor (pytest-xdist); ANCRAGE_TEST_WORKERS=0 runs in this process.
workers=(-n "${ANCRAGE_TEST_WORKERS:-auto}")

echo "== ruff"
$BIN/ruff check src tests benchmarks

echo "== tests on SQLite"
env -u DATABASE_URL $BIN/pytest "${workers[@]}" "$@"

pg_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ancrage}"
echo "== tests on PostgreSQL"
if bash scripts/ensure-postgres.sh "$pg_url"; then
  DATABASE_URL="$pg_url" $BIN/pytest "${workers[@]}" "$@"
elif [ "$ci" = "true" ]; then
  echo "PostgreSQL is required when CI=true" >&2
  exit 1
else
  echo "PostgreSQL is not reachable: skipped (set CI=true to make this an error)" >&2
fi
