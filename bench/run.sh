#!/usr/bin/env bash
# Issue 15's figures in one table: packages the app, runs the benchmarks (./mvnw -Pbenchmark test: classes named
# *Benchmark, tag "benchmark", never part of ./mvnw verify) against the local PostgreSQL (ingest, status and start-up
# on the packaged app in its own JVM; sales and delta pulls in-process with the simulators), pgbench included, then
# prints every figure with its target and PASS/MISS as a Markdown table.
# Benchmarks assert correctness only; a MISS never fails the run.
#
#   bench/run.sh            # everything (about 10 minutes on 2 cores)
#   bench/run.sh -o         # extra arguments go to Maven (-o: offline)
#   BENCH_TESTS=SyncStatusBenchmark bench/run.sh -o    # some of them
#
# Uses its own schemas (STOCKSYNC_TEST_SCHEMA, default stocksync_bench, and <schema>_boot for the start-up runs), so
# it never clashes with a test run. Measure on a quiet machine: the table prints the load average before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

export STOCKSYNC_TEST_SCHEMA="${STOCKSYNC_TEST_SCHEMA:-stocksync_bench}"
if ! command -v pgbench >/dev/null; then
  echo "pgbench is missing: apt-get install -y postgresql-contrib (Debian ships it with postgresql-client)" >&2
  exit 1
fi

mkdir -p target/benchmark
rm -f target/benchmark/figures.tsv
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started="$(date -u +%Y-%m-%dT%H:%MZ)"

echo "packaging (the start-up benchmark launches target/quarkus-app/quarkus-run.jar)..." >&2
./mvnw -B -q "$@" package -DskipTests >target/benchmark/package.log 2>&1 || { tail -50 target/benchmark/package.log; exit 1; }

echo "running the benchmarks (log: target/benchmark/maven.log)..." >&2
status=0
./mvnw -B "$@" -Pbenchmark test ${BENCH_TESTS:+-Dtest="$BENCH_TESTS"} >target/benchmark/maven.log 2>&1 || status=$?
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ ! -s target/benchmark/figures.tsv ]]; then
  grep -E 'Tests run|FAIL|ERROR' target/benchmark/maven.log | head -40 >&2
  echo "no figures recorded" >&2
  exit 1
fi

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo
echo "stock-sync benchmark, $started: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
     "load average before $load_before, after $load_after"
echo
echo "| | figure | measured | target | |"
echo "|---|---|---:|---:|---|"
# The issue's order first, then anything else a benchmark recorded.
order=("webhook ingest" "sync-status" "sale →" "Contifico calls" "delta pull" "start-up")
awk -F'\t' -v order="$(IFS='|'; echo "${order[*]}")" '
  { rows[NR] = $0; sec[NR] = $1 }
  END {
    n = split(order, o, "|")
    for (i = 1; i <= n + 1; i++)
      for (r = 1; r <= NR; r++) {
        if (done[r]) continue
        if (i <= n && index(sec[r], o[i]) != 1) continue
        split(rows[r], f, "\t")
        label = (f[1] == last) ? "" : f[1]; last = f[1]
        printf "| %s | %s | %s | %s | %s |\n", label, f[2], f[3], f[4], f[5]
        done[r] = 1
      }
  }' target/benchmark/figures.tsv

if [[ $status -ne 0 ]]; then
  echo
  echo "Some benchmarks failed (a correctness check, not a target); see target/benchmark/maven.log:" >&2
  grep -E 'Tests run:|FAIL|ERROR\]' target/benchmark/maven.log | head -20 >&2
  exit $status
fi
