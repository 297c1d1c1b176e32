#!/usr/bin/env bash
# Kafka benchmarks against the peer broker (scripts/peers up kafka):
#  1. throughput: kcat publishes N generated assessment records (as the
#     seeds did: jq -c '.[]' | kcat -P), then `lakegate ingest kafka` lands
#     them to the end offsets; records/s from start to queryable (the
#     command's wall time, start-up included), beside `lakegate ingest
#     assessments` of the same records from a file;
#  2. freshness: `lakegate ingest kafka --follow --trigger 10s` while a
#     producer sends RATE records/s for DURATION; p50/p99 from Kafka's
#     acknowledgement to the micro-batch's catalog commit (bench/kafka).
#
#   eval "$(scripts/peers env)"; bench/kafka.sh [RECORDS] [RATE] [DURATION]
#   (defaults 200000 records, 2000 records/s, 60s)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${LAKEGATE_TEST_KAFKA:?start the broker: scripts/peers up kafka; eval \"\$(scripts/peers env)\"}"
records=${1:-200000}
rate=${2:-2000}
duration=${3:-60s}
brokers=$LAKEGATE_TEST_KAFKA
work=${BENCH_DIR:-$(mktemp -d /tmp/lakegate-kafka-bench.XXXXXX)}
mkdir -p "$work"
go build -o "$work/lakegate" ./cmd/lakegate
go build -o "$work/freshness" ./bench/kafka
lg=$work/lakegate

topic() { # name: a fresh topic with three partitions
  local t="$1-$(date +%s%N)"
  "$work/freshness" -brokers "$brokers" -topic "$t" -create 3
  echo "$t"
}

input=$work/attempts-$records.json
[ -f "$input" ] || "$lg" generate assessments --attempts "$records" --seed 7 -o "$input" 2>/dev/null
bytes=$(stat -c %s "$input")
echo "input: $records attempts, $bytes bytes as a JSON array"

t=$(topic bench-throughput)
start=$(date +%s.%N)
jq -c '.[]' "$input" | kcat -P -b "$brokers" -t "$t"
pub=$(echo "$(date +%s.%N) - $start" | bc -l)
printf 'kcat publish:            %6.2f s  %9.0f records/s\n' "$pub" "$(echo "$records / $pub" | bc -l)"

measure() { # name, command...: wall time and peak RSS
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" "$@" > "$work/$name.out" 2>"$work/$name.err"
  read -r secs rss < "$work/$name.time"
  printf '%-24s %6.2f s  %9.0f records/s  peak RSS %5.0f MB\n' "$name:" "$secs" \
    "$(echo "$records / $secs" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}
rm -rf "$work/klake" "$work/flake"
measure "ingest kafka" "$lg" ingest kafka --brokers "$brokers" --topic "$t" --lake "$work/klake"
measure "ingest assessments" "$lg" ingest assessments "$input" --lake "$work/flake"
grep -E "read|landed" "$work/ingest kafka.out" | sed 's/^/  kafka: /'

# Freshness: the producer sends NDJSON records of a smaller file.
small=$work/fresh.ndjson
[ -f "$small" ] || "$lg" generate assessments --attempts 20000 --seed 9 --format ndjson -o "$small" 2>/dev/null
ft=$(topic bench-freshness)
rm -rf "$work/fresh-lake"
echo "freshness: $rate records/s for $duration, --trigger 10s"
"$work/freshness" -brokers "$brokers" -topic "$ft" -input "$small" -rate "$rate" -duration "$duration" -- \
  "$lg" ingest kafka --follow --trigger 10s --brokers "$brokers" --topic "$ft" --lake "$work/fresh-lake"
