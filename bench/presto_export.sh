#!/usr/bin/env bash
# The gateway's memory while Presto answers 10M rows in each streamed
# format: peak RSS of `lakegate serve` (sampled every 100 ms from /proc)
# during one export per format, and the time it took. Needs the Presto
# peer:
#
#   scripts/peers up presto && eval "$(scripts/peers env)"
#   bench/presto_export.sh [ROWS]        (default 10000000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
: "${LAKEGATE_TEST_PRESTO:?start the Presto peer: scripts/peers up presto && eval \"\$(scripts/peers env)\"}"
work=$(mktemp -d /tmp/lakegate-presto-export.XXXXXX)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/lakegate" ./cmd/lakegate
"$work/lakegate" generate assessments --attempts 100 -o "$work/a.json" > /dev/null
"$work/lakegate" ingest assessments "$work/a.json" --lake "$work/lake" > /dev/null
exec 9> "${TMPDIR:-/tmp}/lakegate-hms-${LAKEGATE_TEST_HMS_ADDR/:/-}.lock"
flock 9
port=$(( 20000 + RANDOM % 20000 ))
"$work/lakegate" serve --lake "$work/lake" --addr "127.0.0.1:$port" --log-level warn --auth none \
  --hms-addr "$LAKEGATE_TEST_HMS_ADDR" --presto-url "$LAKEGATE_TEST_PRESTO" --query-timeout 30m --spill-dir "$work" &
pid=$!
for _ in $(seq 1 100); do curl -fs "127.0.0.1:$port/healthz" > /dev/null && break; sleep 0.2; done
outer=$(( (rows + 999) / 1000 ))
sql="SELECT x * 1000 + y AS i, CAST(x AS VARCHAR) AS s, x * 1.5 AS d FROM UNNEST(sequence(1, $outer)) a(x) CROSS JOIN UNNEST(sequence(1, 1000)) b(y)"
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
echo "rows: $rows; idle gateway RSS: $(( $(rss) / 1024 )) MiB"
echo
echo "| format | bytes | seconds | peak RSS MiB |"
echo "| --- | --- | --- | --- |"
for f in csv ndjson arrow parquet; do
  peak=0
  start=$(date +%s.%N)
  curl -fsS "127.0.0.1:$port/v1/query?engine=presto&format=$f&limit=0" \
    -d "{\"sql\": \"$sql\"}" -o "$work/out.$f" &
  c=$!
  while kill -0 $c 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.1; done
  wait $c
  end=$(date +%s.%N)
  printf '| %s | %s | %.1f | %d |\n' "$f" "$(stat -c %s "$work/out.$f")" "$(echo "$end - $start" | bc)" $(( peak / 1024 ))
  rm -f "$work/out.$f"
done
