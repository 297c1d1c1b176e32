#!/usr/bin/env bash
# Event collector benchmark: the seeds stressed their Flask collector with
# Apache Bench; this runs ab -c 10 and wrk -c 64 on loopback against
# `lakegate serve`, with the local write-ahead log (default) and, when the
# Kafka peer runs, with Kafka (acks=all). Then it checks that every event
# answered 202 landed: the table's count against the 202s counted by ab and
# wrk (GET /v1/events/game?event_type=purchase_sword&sword_type=...: one event a request).
#
#   bench/collector.sh [REQUESTS] [WRK_DURATION]     (defaults 50000, 20s)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-50000}
wrk_for=${2:-20s}
work=${BENCH_DIR:-$(mktemp -d /tmp/lakegate-collector-bench.XXXXXX)}
mkdir -p "$work"
go build -o "$work/lakegate" ./cmd/lakegate
lg=$work/lakegate
port=18123
url="http://127.0.0.1:$port"

# wrk reports latency percentiles and counts non-2xx answers with this script.
cat > "$work/count.lua" <<'LUA'
local bad = 0
done = function(summary, latency, requests)
  io.write(string.format("wrk: %d requests, %d not 202, p50 %.2f ms, p99 %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA

run() { # name, serve flags...
  local name=$1; shift
  rm -rf "$work/lake-$name"
  "$lg" serve --lake "$work/lake-$name" --addr "127.0.0.1:$port" --auth none --log-level warn "$@" 2>"$work/serve-$name.log" &
  local pid=$!
  for _ in $(seq 50); do curl -fsS "$url/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "== $name: ab -n $requests -c 10"
  ab -q -n "$requests" -c 10 "$url/v1/events/game?event_type=purchase_sword&sword_type=ab" > "$work/ab-$name.txt"
  grep -E "Complete requests|Failed requests|Non-2xx|Requests per second|Time per request.*mean\)" "$work/ab-$name.txt" | sed 's/^/  /'
  grep -E "^  50%|^  99%" "$work/ab-$name.txt" | sed 's/^/  latency (ms) /'
  echo "== $name: wrk -c 64 -t 2 -d $wrk_for"
  wrk -c 64 -t 2 -d "$wrk_for" --latency -s "$work/count.lua" "$url/v1/events/game?event_type=purchase_sword&sword_type=wrk" > "$work/wrk-$name.txt"
  grep -E "Requests/sec|^wrk:" "$work/wrk-$name.txt" | sed 's/^/  /'
  eval "${name}_wrk=\$(awk '/^wrk:/ {print \$2 - \$4}' \"$work/wrk-$name.txt\")"
  eval "${name}_ab=\$(awk '/Complete requests/ {c=\$3} /Non-2xx/ {n=\$3} END {print c - n}' \"$work/ab-$name.txt\")"
  if [ "$name" = kafka ]; then
    kill -TERM "$pid"; wait "$pid" || true
    "$lg" ingest kafka --format events --brokers "$LAKEGATE_TEST_KAFKA" --topic "$topic" --lake "$work/lake-$name" > "$work/ingest-$name.txt"
  else
    sleep 3 # one trigger (1 s) and its landing
    kill -TERM "$pid"; wait "$pid" || true
  fi
  local landed; landed=$("$lg" query --lake "$work/lake-$name" --format csv \
    "SELECT count(*) FILTER (sword_type = 'ab') || ',' || count(*) FILTER (sword_type = 'wrk') FROM events.purchase_sword" | tail -1 | tr -d '"')
  echo "  202s: ab $(eval echo \$${name}_ab), wrk $(eval echo \$${name}_wrk); landed (ab,wrk): $landed"
}

run log --events-trigger 1s
if [ -n "${LAKEGATE_TEST_KAFKA:-}" ]; then
  topic=bench-events-$(date +%s%N)
  run kafka --kafka-brokers "$LAKEGATE_TEST_KAFKA" --events-topic "$topic"
else
  echo "(no Kafka peer: scripts/peers up kafka; eval \"\$(scripts/peers env)\" to measure the Kafka collector too)"
fi
