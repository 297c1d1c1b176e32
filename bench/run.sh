#!/usr/bin/env bash
# The benchmark suite: lakegate beside PostgreSQL, the seeds' Spark job,
# Presto and DuckDB in process, on the same data, in one run, on this
# machine. It builds what it needs, starts the peers that are not running
# (scripts/peers up postgres presto python) and stops those afterwards,
# runs bench/suite, and rewrites the generated section of BENCHMARKS.md
# and the charts under docs/bench/.
#
#   bench/run.sh            the full run: 1M and 10M attempts (about 45 minutes)
#   bench/run.sh --quick    100,000 attempts, fewer repeats (under 10 minutes; CI runs it)
#   bench/run.sh -sizes 1000000    the full run's repeats on the sizes given
#
# Data sets and lakes go to BENCH_DIR (default /tmp/lakegate-bench); the
# generated NDJSON is kept there and reused. Needs ~25 GB free for the full run.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
command="bench/run.sh $*"
case "${1:-}" in
  --quick) quick=(-quick); shift ;;
  -*|"") ;;
  *) echo "usage: bench/run.sh [--quick] [bench/suite flags, e.g. -sizes 1000000]" >&2; exit 2 ;;
esac
work=${BENCH_DIR:-/tmp/lakegate-bench}
mkdir -p "$work/bin"
export PATH="/usr/local/go/bin:$PATH" CGO_ENABLED=1

echo "--- build"
go build -tags duckdb_arrow -o "$work/bin/lakegate" ./cmd/lakegate # Arrow exports stream, as in the Docker image
go build -o "$work/bin/duckcopy" ./bench/duckcopy
go build -o "$work/bin/duckexport" ./bench/duckexport
go build -o "$work/bin/suite" ./bench/suite

echo "--- peers"
started=()
status=$(scripts/peers status)
for peer in postgres presto python; do
  if ! grep -q "^$peer *up" <<< "$status"; then
    started+=("$peer")
  fi
done
if [ ${#started[@]} -gt 0 ]; then
  trap 'scripts/peers down "${started[@]}"' EXIT
  scripts/peers up "${started[@]}"
fi
eval "$(scripts/peers env)"

# The metastore port is shared with the tests that use Presto: hold their
# lock (internal/prestotest) while the suite serves on it.
exec 9> "${TMPDIR:-/tmp}/lakegate-hms-${LAKEGATE_TEST_HMS_ADDR/:/-}.lock"
flock 9

echo "--- suite"
"$work/bin/suite" "${quick[@]}" -require-peers -dir "$work" -out BENCHMARKS.md -charts docs/bench -command "${command% }" \
  -lakegate "$work/bin/lakegate" -duckcopy "$work/bin/duckcopy" -duckexport "$work/bin/duckexport" "$@"
