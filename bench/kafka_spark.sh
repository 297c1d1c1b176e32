#!/usr/bin/env bash
# The seeds' path beside lakegate's, on one topic: pyspark 4.3.0 structured
# streaming (trigger availableNow, local[2]) reads the topic to its end and
# writes Parquet (bench/spark/stream.py), then `lakegate ingest kafka` lands
# the same topic. Wall times include each one's start-up.
#
#   eval "$(scripts/peers env)"   # kafka and python peers
#   bench/kafka_spark.sh TOPIC assessments|events
#
# Spark's Kafka connector comes from Maven Central: 4.2.0, the newest
# served here (4.3.0 is not), with its dependencies fetched one by one
# because the connector's POM asks for a test-jar Maven Central lacks.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${LAKEGATE_TEST_KAFKA:?scripts/peers up kafka; eval \"\$(scripts/peers env)\"}"
topic=$1 kind=${2:-assessments}
work=${BENCH_DIR:-$(mktemp -d /tmp/lakegate-spark-bench.XXXXXX)}
M=${MAVEN_REPO:-$HOME/.m2/repository}
jars=()
for a in org.apache.spark:spark-sql-kafka-0-10_2.13:4.2.0 org.apache.spark:spark-token-provider-kafka-0-10_2.13:4.2.0 \
         org.apache.kafka:kafka-clients:3.9.2 org.apache.commons:commons-pool2:2.12.1; do
  IFS=: read -r g n v <<<"$a"
  jar=$M/${g//.//}/$n/$v/$n-$v.jar
  [ -f "$jar" ] || mvn -q dependency:get -Dtransitive=false -Dartifact="$a" >/dev/null
  jars+=("$jar")
done
export SPARK_KAFKA_JARS=$(IFS=,; echo "${jars[*]}")
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
py=${PYTHON:-.peers/python/venv/bin/python}
rm -rf "$work/spark" "$work/spark_checkpoint" "$work/lake"
echo "spark:    $("$py" bench/spark/stream.py "$LAKEGATE_TEST_KAFKA" "$topic" "$work/spark" "$kind" 2>/dev/null | tail -1)"
go build -o "$work/lakegate" ./cmd/lakegate
/usr/bin/time -f "%e s, peak RSS %M KB" "$work/lakegate" ingest kafka --format "$kind" --brokers "$LAKEGATE_TEST_KAFKA" \
  --topic "$topic" --lake "$work/lake" 2>&1 | grep -E "^ingested| s, peak" | sed 's/^/lakegate: /'
