#!/usr/bin/env bash
# DuckDB vs Presto vs auto: every canned query over HTTP on a lake of
# generated attempts, each engine in the same run (bench/engines), and
# Presto's fixed cost (SELECT 1). Needs the Presto peer:
#
#   scripts/peers up presto && eval "$(scripts/peers env)"
#   bench/engines.sh [ATTEMPTS] [RUNS]     (default 1000000 attempts, 10 runs)
#
# The gateway serves the metastore on the peer's port, so Presto reads the
# same lake through it. The NDJSON file and the lake are kept in BENCH_DIR
# (one per size) and reused. Extra flags for serve: BENCH_SERVE_FLAGS.
set -euo pipefail
cd "$(dirname "$0")/.."
attempts=${1:-1000000}
runs=${2:-10}
: "${LAKEGATE_TEST_PRESTO:?start the Presto peer: scripts/peers up presto && eval \"\$(scripts/peers env)\"}"
work=${BENCH_DIR:-$(mktemp -d /tmp/lakegate-engines.XXXXXX)}
mkdir -p "$work"
go build -o "$work/lakegate" ./cmd/lakegate
go build -o "$work/engines" ./bench/engines

input="$work/attempts-$attempts.ndjson"
[ -f "$input" ] || "$work/lakegate" generate assessments --attempts "$attempts" --seed 7 --format ndjson -o "$input"
lake="$work/lake-$attempts"
if ! compgen -G "$lake/tenants/default/assessments/attempts/ingest_date=*/*.parquet" > /dev/null; then
  rm -rf "$lake"
  "$work/lakegate" ingest assessments "$input" --lake "$lake" | tail -n 3
fi
du -sb "$lake/tenants/default/assessments" | awk '{printf "assessments tables: %d bytes of Parquet\n", $1}'

# The metastore port is shared with the tests that use Presto: hold their
# lock (internal/prestotest) while serving on it.
exec 9> "${TMPDIR:-/tmp}/lakegate-hms-${LAKEGATE_TEST_HMS_ADDR/:/-}.lock"
flock 9
port=$(( 20000 + RANDOM % 20000 ))
# shellcheck disable=SC2086
"$work/lakegate" serve --lake "$lake" --addr "127.0.0.1:$port" --log-level warn --auth none \
  --hms-addr "$LAKEGATE_TEST_HMS_ADDR" --presto-url "$LAKEGATE_TEST_PRESTO" ${BENCH_SERVE_FLAGS:-} &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

"$work/engines" -url "http://127.0.0.1:$port" -n "$runs" -warmup 2
