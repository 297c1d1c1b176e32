#!/usr/bin/env bash
# HTTP overhead benchmark: every canned query (queries/*.sql) posted to
# `lakegate serve` (POST /v1/query, JSON, Cache-Control: no-cache) beside
# the same SQL run in process on a plain DuckDB with the same views over
# the same Parquet files (bench/overhead), measured in the same run on a
# lake of 1M generated attempts.
#
#   bench/overhead.sh [RUNS]     (default 20 timed runs per query, after 3 warm-ups)
#
# The NDJSON file (~3 GB) and the lake are kept in BENCH_DIR and reused.
# Prints a Markdown table of medians and the geometric mean of the ratios
# HTTP / in process.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
attempts=1000000
work=${BENCH_DIR:-$(mktemp -d /tmp/lakegate-overhead.XXXXXX)}
mkdir -p "$work"
go build -o "$work/lakegate" ./cmd/lakegate
go build -o "$work/overhead" ./bench/overhead

input="$work/attempts-$attempts.ndjson"
[ -f "$input" ] || "$work/lakegate" generate assessments --attempts "$attempts" --seed 7 --format ndjson -o "$input"
lake="$work/lake"
if ! compgen -G "$lake/tenants/default/assessments/attempts/ingest_date=*/*.parquet" > /dev/null; then
  rm -rf "$lake"
  "$work/lakegate" ingest assessments "$input" --lake "$lake" | tail -n 3
fi

port=$(( 20000 + RANDOM % 20000 ))
"$work/lakegate" serve --lake "$lake" --addr "127.0.0.1:$port" --log-level warn --auth none &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

"$work/overhead" -lake "$lake" -url "http://127.0.0.1:$port" -n "$runs" -warmup 3
