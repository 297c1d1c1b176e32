#!/usr/bin/env bash
# Ingest benchmark: `lakegate ingest assessments` on a generated NDJSON file
# beside DuckDB's own read_json -> COPY TO parquet of the same flattening
# (bench/duckcopy), measured in the same run on the same file.
#
#   bench/ingest.sh [SIZE_MB]      (default 1024: a 1 GB file)
#
# Prints wall time, throughput and peak RSS (GNU time's %M) of both, and the
# ratio lakegate/DuckDB of their throughputs (> 1 means lakegate is faster).
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
work=${BENCH_DIR:-$(mktemp -d /tmp/lakegate-bench.XXXXXX)}
mkdir -p "$work"
go build -o "$work/lakegate" ./cmd/lakegate
go build -o "$work/duckcopy" ./bench/duckcopy

# The generator writes ~2.9 KB per attempt; size the file to SIZE_MB.
attempts=$(( size_mb * 1024 * 1024 / 2950 ))
input="$work/attempts-$attempts.ndjson"
[ -f "$input" ] || "$work/lakegate" generate assessments --attempts "$attempts" --seed 7 --format ndjson -o "$input"
bytes=$(stat -c %s "$input")
echo "input: $input ($bytes bytes, $attempts attempts)"

measure() { # name, command...
  local name=$1; shift
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  cat "$input" > /dev/null # same warm page cache for both
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" > "$work/$name.out" 2>&1
  read -r secs rss < "$work/$name.time"
  printf '%-9s %8.2f s %8.1f MB/s  peak RSS %6.0f MB\n' "$name" "$secs" \
    "$(echo "$bytes / 1048576 / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
  eval "${name}_secs=$secs"
}

rm -rf "$work/lake" "$work/duck"
measure lakegate "$work/lakegate" ingest assessments "$input" --lake "$work/lake"
measure duckdb "$work/duckcopy" "$input" "$work/duck"
printf 'ratio (lakegate throughput / DuckDB throughput): %.2f\n' "$(echo "$duckdb_secs / $lakegate_secs" | bc -l)"
tail -n 12 "$work/lakegate.out"
du -sh "$work/lake/tenants/default/assessments" "$work/duck"
