#!/usr/bin/env bash
# bench/pgwire.sh [pgwire flags, e.g. -rows 1000000]: lakegate's PostgreSQL
# protocol beside its HTTP API on one server (a 10M-row read with HTTP
# Arrow, psql, psycopg and pgx; SELECT 1 latency). Needs the python peer
# (psycopg) and psql; rewrites its section of BENCHMARKS.md. A few minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/lakegate-bench}
mkdir -p "$dir/bin"
go build -tags duckdb_arrow -o "$dir/bin/lakegate" ./cmd/lakegate
go build -o "$dir/bin/duckexport" ./bench/duckexport
go build -o "$dir/bin/pgwire" ./bench/pgwire
started=
if ! scripts/peers status | grep -q '^python *up'; then
  scripts/peers up python
  started=1
fi
eval "$(scripts/peers env)"
trap '[ -n "$started" ] && scripts/peers down python' EXIT
"$dir/bin/pgwire" -lakegate "$dir/bin/lakegate" -duckexport "$dir/bin/duckexport" -dir "$dir" "$@"
