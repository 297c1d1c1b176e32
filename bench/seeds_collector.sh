#!/usr/bin/env bash
# The seeds' event collector beside lakegate's (bench/collector.sh): their
# Flask API (bench/seeds/game_api.py: the request headers merged into the
# event, kafka-python sending it to Kafka) under the same ab -c 10 and
# wrk -c 64 loads, with kafka-python's default acks=1 (the answer does not
# wait for Kafka) and with acks=all (it waits, as lakegate's 202 does).
#
#   eval "$(scripts/peers env)"; bench/seeds_collector.sh [REQUESTS] [WRK_DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
: "${LAKEGATE_TEST_KAFKA:?scripts/peers up kafka; eval \"\$(scripts/peers env)\"}"
requests=${1:-5000}
wrk_for=${2:-10s}
venv=${SEEDS_VENV:-$HOME/.cache/lakegate/seeds-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import flask, kafka' 2>/dev/null || "$venv/bin/pip" install -q flask==3.1.3 kafka-python==3.0.12
port=18300
for acks in 1 all; do
  BROKERS=$LAKEGATE_TEST_KAFKA TOPIC=seeds-bench ACKS=$acks "$venv/bin/python" bench/seeds/game_api.py $port >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/join_guild" >/dev/null 2>&1 && break; sleep 0.2; done
  echo "== Flask + kafka-python, acks=$acks: ab -n $requests -c 10"
  ab -q -n "$requests" -c 10 "http://127.0.0.1:$port/purchase_a_sword" | grep -E "Complete requests|Failed requests|Requests per second|^  50%|^  99%" | sed 's/^/  /'
  echo "== Flask + kafka-python, acks=$acks: wrk -c 64 -t 2 -d $wrk_for"
  wrk -c 64 -t 2 -d "$wrk_for" --latency "http://127.0.0.1:$port/purchase_a_sword" | grep -E "Requests/sec|^ +50%|^ +99%|Non-2xx|Socket errors" | sed 's/^/  /'
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
