#!/usr/bin/env bash
# HDFS lake benchmark, in one run on the same data (issue 12's figures):
#   - ingest throughput into the HDFS peer vs into a local lake (two runs
#     each, alternating);
#   - the first query of a table on a cold cache (its files are copied
#     from HDFS) vs the same query warm;
#   - every canned query on the HDFS lake (warm cache) vs the local lake,
#     over HTTP with Cache-Control: no-cache, medians of RUNS.
#
#   scripts/peers up hdfs && eval "$(scripts/peers env)"
#   bench/hdfs.sh [ATTEMPTS] [RUNS]        (default 300000 attempts, 15 runs)
#
# Prints Markdown tables.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${LAKEGATE_TEST_HDFS:?start the HDFS peer: scripts/peers up hdfs; eval \"\$(scripts/peers env)\"}"
attempts=${1:-300000}
runs=${2:-15}
work=${BENCH_DIR:-$(mktemp -d /tmp/lakegate-hdfs.XXXXXX)}
mkdir -p "$work"
go build -o "$work/lakegate" ./cmd/lakegate
lg="$work/lakegate"
input="$work/attempts-$attempts.ndjson"
[ -f "$input" ] || "$lg" generate assessments --attempts "$attempts" --seed 7 --format ndjson -o "$input" 2>/dev/null
mb=$(( $(stat -c %s "$input") / 1000000 ))

ingest_into() { # NAME ARGS...: lands the input into a fresh lake, prints seconds
  local t0; t0=$(python3 -c 'import time; print(time.time())')
  "$lg" ingest assessments "$input" "$@" > /dev/null
  python3 -c "import time; print(round(time.time()-$t0, 2))"
}

echo "### Ingest, $attempts attempts ($mb MB of NDJSON)"
echo
echo "| run | local lake s | HDFS lake s | local MB/s | HDFS MB/s | HDFS / local throughput |"
echo "| --- | --- | --- | --- | --- | --- |"
for run in 1 2; do
  rm -rf "$work/local" "$work/hdfs-catalog"
  hdfs_lake="$LAKEGATE_TEST_HDFS/lakegate-bench/$$-$run"
  hdfs_args=(--lake "$hdfs_lake" --lake-cache-dir "$work/cache" --catalog "embedded:$work/hdfs-catalog")
  l=$(ingest_into --lake "$work/local")
  h=$(ingest_into "${hdfs_args[@]}")
  python3 -c "l,h,mb=$l,$h,$mb; print(f'| {$run} | {l} | {h} | {mb/l:.0f} | {mb/h:.0f} | {l/h:.2f} |')"
done
echo

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
lp=$(port); hp=$(port)
rm -rf "$work/cache"
"$lg" serve --lake "$work/local" --addr "127.0.0.1:$lp" --auth none --log-level warn &
p1=$!
"$lg" serve "${hdfs_args[@]}" --addr "127.0.0.1:$hp" --auth none --log-level warn &
p2=$!
trap 'kill $p1 $p2 2>/dev/null || true' EXIT
for p in $lp $hp; do for _ in $(seq 100); do curl -fs "127.0.0.1:$p/healthz" > /dev/null && break; sleep 0.2; done; done

q() { # PORT SQL: seconds of one uncached query over HTTP
  curl -fsS -o /dev/null -w '%{time_total}' -H 'Cache-Control: no-cache' -H 'Content-Type: application/sql' \
    --data-binary "$2" "127.0.0.1:$1/v1/query"
}
median() { python3 -c "import statistics,sys; print(round(statistics.median(float(x) for x in sys.argv[1:])*1000, 1))" "$@"; }

echo "### First query of a table: cold cache (copied from HDFS) vs warm"
echo
echo "| query | cold ms | warm ms (median of $runs) | local lake ms |"
echo "| --- | --- | --- | --- |"
for t in attempts questions raw; do
  sql="SELECT count(*) FROM assessments.$t"
  cold=$(q "$hp" "$sql")
  warm=(); local_=()
  for _ in $(seq "$runs"); do warm+=("$(q "$hp" "$sql")"); local_+=("$(q "$lp" "$sql")"); done
  echo "| count(*) of $t | $(median "$cold") | $(median "${warm[@]}") | $(median "${local_[@]}") |"
done
echo

echo "### Canned queries, warm cache vs local lake (medians of $runs, HTTP, no result cache)"
echo
echo "| query | local ms | HDFS ms | HDFS / local |"
echo "| --- | --- | --- | --- |"
ratios=()
for name in $("$lg" query --list --lake "$work/local" 2>/dev/null | awk 'NR>1 && $1 ~ /^[a-z_]+$/ {print $1}' | sort -u); do
  qs() { curl -fsS -o /dev/null -w '%{time_total}' -H 'Cache-Control: no-cache' "127.0.0.1:$1/v1/saved/$name/run"; }
  qs "$lp" > /dev/null; qs "$hp" > /dev/null
  a=(); b=()
  for _ in $(seq "$runs"); do a+=("$(qs "$lp")"); b+=("$(qs "$hp")"); done
  la=$(median "${a[@]}"); hb=$(median "${b[@]}")
  r=$(python3 -c "print(round($hb/$la, 2))")
  ratios+=("$r")
  echo "| $name | $la | $hb | $r |"
done
python3 -c "import math,sys; r=[float(x) for x in sys.argv[1:]]; print(f'\ngeometric mean HDFS / local: {math.exp(sum(map(math.log,r))/len(r)):.2f} (goal <= 1.10)')" "${ratios[@]}"
