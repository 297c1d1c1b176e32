#!/usr/bin/env bash
# Export benchmark: a 10M-row table streamed by `lakegate serve` as CSV and
# as Arrow (GET /v1/query.csv|.arrow?...&limit=0), beside DuckDB's own
# COPY ... TO of the same table (CSV; Parquet uncompressed as the columnar
# counterpart of Arrow), measured in the same run on the same machine.
#
#   bench/export.sh [ROWS]     (default 10000000)
#
# Prints seconds, the ratios DuckDB/lakegate (throughput of lakegate over
# DuckDB's) and the peak RSS (VmHWM) of the server and of DuckDB's COPY.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
work=${BENCH_DIR:-$(mktemp -d /tmp/lakegate-export.XXXXXX)}
mkdir -p "$work"
go build -o "$work/lakegate" ./cmd/lakegate
go build -o "$work/duckexport" ./bench/duckexport

lake="$work/lake"
if [ ! -f "$lake/tenants/default/bench/rows/part-0.parquet" ]; then
  rm -rf "$lake"
  "$work/duckexport" make "$lake/tenants/default/bench/rows" "$rows" > /dev/null
  "$work/lakegate" catalog register --lake "$lake" --db bench --table rows --location bench/rows > /dev/null
fi
port=$(( 20000 + RANDOM % 20000 ))
"$work/lakegate" serve --lake "$lake" --addr "127.0.0.1:$port" --log-level warn --auth none &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }

sql='SELECT+*+FROM+bench.rows'
# Each format: one warm-up export (page cache, views), then the median of
# three timed runs of lakegate's answer read by curl into /dev/null (the
# server's throughput) and one into a file (plus the client's disk write),
# and the median of three runs of DuckDB's own COPY of the same table.
# Ratios are DuckDB's time / lakegate's (lakegate's share of DuckDB's
# throughput).
fetch() { # fetch FORMAT OUT -> seconds
  local start; start=$(date +%s.%N)
  curl -fsS "127.0.0.1:$port/v1/query.$1?sql=$sql&limit=0" -o "$2"
  echo "$(date +%s.%N) - $start" | bc -l
}
median3() { sort -g | sed -n 2p; }
for fmt in csv arrow; do
  case $fmt in csv) base=csv ;; arrow) base=parquet ;; esac
  fetch "$fmt" /dev/null > /dev/null
  null=$(for _ in 1 2 3; do fetch "$fmt" /dev/null; done | median3)
  file=$(fetch "$fmt" "$work/out.$fmt")
  size=$(( $(stat -c %s "$work/out.$fmt") / 1048576 ))
  duck=$(for _ in 1 2 3; do "$work/duckexport" copy "$lake/tenants/default/bench/rows/part-0.parquet" "$base" "$work/duck.$base"; done)
  dsecs=$(echo "$duck" | awk '{print $1}' | median3)
  drss=$(echo "$duck" | awk '{print $2}' | sort -g | tail -1)
  printf '%-6s (%s MB) lakegate %6.2f s to /dev/null, %6.2f s to a file | DuckDB COPY %-7s %6.2f s | ratio %.2f (/dev/null), %.2f (file) | peak RSS: server %s MB, DuckDB COPY %s MB\n' \
    "$fmt" "$size" "$null" "$file" "$base" "$dsecs" "$(echo "$dsecs / $null" | bc -l)" "$(echo "$dsecs / $file" | bc -l)" "$(hwm)" "$drss"
  rm -f "$work/out.$fmt" "$work/duck.$base"
done
