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
go build -tags duckdb_arrow -o "$work/lakegate" ./cmd/lakegate  # Arrow exports stream (as in the Docker image)
go build -o "$work/duckexport" ./bench/duckexport

lake="$work/lake"
if [ ! -f "$lake/tenants/default/bench/rows/part-0.parquet" ]; then
  rm -rf "$lake"
  "$work/duckexport" make "$lake/tenants/default/bench/rows" "$rows" > /dev/null
  "$work/lakegate" catalog register --lake "$lake" --db bench --table rows --location bench/rows > /dev/null
fi
port=$(( 20000 + RANDOM % 20000 ))
# The server's spill files go where DuckDB's COPY writes (OUT_DIR), so that
# both sides write to the same file system.
out=${OUT_DIR:-$work}
"$work/lakegate" serve --lake "$lake" --addr "127.0.0.1:$port" --log-level warn --auth none --spill-dir "$out" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -fs "127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done

hwm() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$pid/status"; }

sql='SELECT+*+FROM+bench.rows'
# Each format: one warm-up export (page cache, views), then three rounds
# of lakegate's answer read by curl into /dev/null (the server's
# throughput) alternating with DuckDB's own COPY of the same table, so that
# both see the same load; medians of the three. Then one lakegate run into
# a file (adding the client's disk write). Ratios are DuckDB's time /
# lakegate's (lakegate's share of DuckDB's throughput). Outputs go to
# OUT_DIR (default $work; /dev/shm takes the disk out of both sides).
fetch() { # fetch FORMAT OUT -> seconds
  local start; start=$(date +%s.%N)
  curl -fsS "127.0.0.1:$port/v1/query.$1?sql=$sql&limit=0" -o "$2"
  echo "$(date +%s.%N) - $start" | bc -l
}
median3() { sort -g | sed -n 2p; }
for fmt in csv arrow; do
  case $fmt in csv) base=csv ;; arrow) base=parquet ;; esac
  fetch "$fmt" /dev/null > /dev/null
  : > "$work/l.txt"; : > "$work/d.txt"
  for _ in 1 2 3; do
    fetch "$fmt" /dev/null >> "$work/l.txt"
    "$work/duckexport" copy "$lake/tenants/default/bench/rows/part-0.parquet" "$base" "$out/duck.$base" >> "$work/d.txt"
  done
  null=$(median3 < "$work/l.txt")
  dsecs=$(awk '{print $1}' "$work/d.txt" | median3)
  drss=$(awk '{print $2}' "$work/d.txt" | sort -g | tail -1)
  file=$(fetch "$fmt" "$out/out.$fmt")
  size=$(( $(stat -c %s "$out/out.$fmt") / 1048576 ))
  printf '%-6s (%s MB) lakegate %6.2f s to /dev/null, %6.2f s to a file | DuckDB COPY %-7s %6.2f s | ratio %.2f (/dev/null), %.2f (file) | peak RSS: server %s MB, DuckDB COPY %s MB\n' \
    "$fmt" "$size" "$null" "$file" "$base" "$dsecs" "$(echo "$dsecs / $null" | bc -l)" "$(echo "$dsecs / $file" | bc -l)" "$(hwm)" "$drss"
  echo "       runs: lakegate $(tr '\n' ' ' < "$work/l.txt")| DuckDB $(awk '{printf "%s ", $1}' "$work/d.txt")"
  if [ "$fmt" = arrow ]; then # DuckDB's default Parquet (snappy) as a second baseline
    : > "$work/d2.txt"
    for _ in 1 2 3; do "$work/duckexport" copy "$lake/tenants/default/bench/rows/part-0.parquet" parquet-default "$out/duck.$base" >> "$work/d2.txt"; done
    d2=$(awk '{print $1}' "$work/d2.txt" | median3)
    printf '       DuckDB COPY to default (snappy) Parquet %6.2f s | ratio %.2f (/dev/null)\n' "$d2" "$(echo "$d2 / $null" | bc -l)"
  fi
  rm -f "$out/out.$fmt" "$out/duck.$base"
done
