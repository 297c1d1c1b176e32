#!/usr/bin/env bash
# Export benchmark: a 10M-row table streamed by `lakegate serve` as CSV and
# as Arrow (GET /v1/query.csv|.arrow?...&limit=0), beside DuckDB's own
# COPY ... TO of the same table (CSV; Parquet uncompressed as the columnar
# counterpart of Arrow), measured in the same run on the same machine.
#
#   bench/export.sh [ROWS]     (default 10000000)
#
# Prints seconds, rows/s, the ratio lakegate/DuckDB and the server's peak
# RSS (VmHWM) after each export.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
work=${BENCH_DIR:-$(mktemp -d /tmp/lakegate-export.XXXXXX)}
mkdir -p "$work"
go build -o "$work/lakegate" ./cmd/lakegate
go build -o "$work/duckexport" ./bench/duckexport

lake="$work/lake"
if [ ! -f "$lake/bench/rows/part-0.parquet" ]; then
  rm -rf "$lake"
  "$work/duckexport" make "$lake/bench/rows" "$rows" > /dev/null
  "$work/lakegate" catalog register --lake "$lake" --db bench --table rows --location bench/rows > /dev/null
fi
port=$(( 20000 + RANDOM % 20000 ))
"$work/lakegate" serve --lake "$lake" --addr "127.0.0.1:$port" --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }
rate() { echo "$rows / $1" | bc -l; }

sql='SELECT+*+FROM+bench.rows'
for fmt in csv arrow; do
  start=$(date +%s.%N)
  curl -fsS "127.0.0.1:$port/v1/query.$fmt?sql=$sql&limit=0" -o "$work/out.$fmt"
  secs=$(echo "$(date +%s.%N) - $start" | bc -l)
  case $fmt in csv) base=csv ;; arrow) base=parquet ;; esac
  dsecs=$("$work/duckexport" copy "$lake/bench/rows/part-0.parquet" "$base" "$work/duck.$base")
  printf '%-6s lakegate %7.2f s %10.0f rows/s (%s MB) | DuckDB COPY %-7s %7.2f s %10.0f rows/s | ratio %.2f | server peak RSS %s MB\n' \
    "$fmt" "$secs" "$(rate "$secs")" "$(( $(stat -c %s "$work/out.$fmt") / 1048576 ))" "$base" "$dsecs" "$(rate "$dsecs")" \
    "$(echo "$dsecs / $secs" | bc -l)" "$(hwm)"
  rm -f "$work/out.$fmt" "$work/duck.$base"
done
