#!/usr/bin/env bash
# Benchmarks sesskit against the session libraries Go developers use today
# (scs on chi, gin-contrib/sessions, echo-contrib/session, Fiber's session
# middleware, and a hand-written go-redis floor) and writes BENCHMARKS.md at
# the repository root. Not part of scripts/test.sh. About 12-15 minutes.
#
#   scripts/bench.sh
#
# Steps: starts a private redis-server on a free port (scripts/redis/up.sh
# single), and a second one with `--io-threads 2 --io-threads-do-reads yes`,
# unless SESSKIT_REDIS_URL names one to use (then the server's INFO counters
# are not used, as others may share it: no Redis cost or memory figures); runs
# `go test -bench BenchmarkScenario -count N` in benchmarks/stack (in
# process, real Redis); runs benchmarks/cmd/sessbench, which counts round
# trips, commands and bytes per request, measures what each request costs
# Redis (commandstats time, each command once, and process CPU, on both
# private servers) and what sessions take in memory, runs the lost-updates
# check, loads
# every stack over HTTP on 127.0.0.1 and writes the report with medians;
# stops the redis-servers it started, by PID, whatever happens.
#
# Options (env):
#   BENCH_COUNT=3          go test -count (runs whose median is reported)
#   BENCH_TIME=1000x       go test -benchtime
#   BENCH_ROUNDS=3         HTTP load rounds (median reported)
#   BENCH_DURATION=2.5s    measured time per HTTP case (plus 250ms warm-up)
#   BENCH_CONCURRENCY=8    HTTP connections per case
#   BENCH_TRIALS=5         lost-updates trials per stack
#   BENCH_PAIRED_REPS=10   paired read-modify-write repetitions (throughput targets)
#   BENCH_PAIRED_SLICE=400ms  measured time of one stack in a paired repetition
#   BENCH_COST_ROUNDS=5    Redis cost rounds per server (median and range reported)
#   BENCH_COST_REQUESTS=2000  requests per case and round in the Redis cost measurement
#   BENCH_COST_WORKERS=4   in-process clients sending them at once
#   BENCH_MEM_COUNT=5000   sessions per shape in the memory measurement
#   BENCH_OUT=BENCHMARKS.md  report path, relative to the repository root
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd -P)
source scripts/redis/lib.sh

count=${BENCH_COUNT:-3} benchtime=${BENCH_TIME:-1000x} rounds=${BENCH_ROUNDS:-3}
duration=${BENCH_DURATION:-2.5s} concurrency=${BENCH_CONCURRENCY:-8} trials=${BENCH_TRIALS:-5}
paired_reps=${BENCH_PAIRED_REPS:-10} paired_slice=${BENCH_PAIRED_SLICE:-400ms}
cost_rounds=${BENCH_COST_ROUNDS:-5} cost_requests=${BENCH_COST_REQUESTS:-2000} cost_workers=${BENCH_COST_WORKERS:-4}
mem_count=${BENCH_MEM_COUNT:-5000}
out=$root/${BENCH_OUT:-BENCHMARKS.md}
export GOWORK=off # the benchmarks module's own go.mod: the versions it reports

began=$SECONDS tmp=$(mktemp -d "${TMPDIR:-/tmp}/sesskit-bench.XXXXXX") redis_dir="" redis_io_dir=""
finish() {
	local rc=$?
	trap - EXIT INT TERM
	[[ -z $redis_dir ]] || sk_redis_down "$redis_dir" || true
	[[ -z $redis_io_dir ]] || sk_redis_down "$redis_io_dir" || true
	rm -rf "$tmp"
	echo "bench.sh: $( ((rc == 0)) && echo done || echo "FAILED ($rc)") in $((SECONDS - began))s"
	exit "$rc"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v go >/dev/null || { echo "bench.sh: go is not on PATH" >&2 && exit 1; }
private=()
if [[ -z ${SESSKIT_REDIS_URL:-} ]]; then
	command -v redis-server >/dev/null || { echo "bench.sh: redis-server is not on PATH (apt-get install redis-server)" >&2 && exit 1; }
	redis_dir=$tmp/redis
	sk_redis_up single "$redis_dir" >/dev/null
	source "$redis_dir/env"
	redis_io_dir=$tmp/redis-io
	sk_redis_up single "$redis_io_dir" "io-threads 2" "io-threads-do-reads yes" >/dev/null
	io_url=$(source "$redis_io_dir/env" && echo "$SESSKIT_REDIS_URL")
	private=(-private -redis-io "$io_url")
	echo "== private redis-server $SESSKIT_REDIS_URL (pid $SESSKIT_REDIS_SINGLE_PID), and $io_url with I/O threads"
else
	echo "== using SESSKIT_REDIS_URL=$SESSKIT_REDIS_URL (shared: INFO counters not used)"
fi
export SESSKIT_REDIS_URL

echo "== build"
(cd benchmarks && go build -o "$tmp/sessbench" ./cmd/sessbench && go test -c -o "$tmp/stack.test" ./stack)

echo "== go test -bench BenchmarkScenario -count $count -benchtime $benchtime"
(cd benchmarks/stack && "$tmp/stack.test" -test.run '^$' -test.bench BenchmarkScenario -test.benchmem \
	-test.count "$count" -test.benchtime "$benchtime" -test.timeout 30m) | tee "$tmp/gobench.txt" | grep -E '^(Benchmark|FAIL|PASS)' || true
grep -q '^PASS' "$tmp/gobench.txt" || { echo "bench.sh: go test -bench failed" >&2 && exit 1; }

revision="this repository"
if rev=$(git rev-parse --short HEAD 2>/dev/null); then
	revision="commit $rev"
	[[ -z $(git status --porcelain -- core adapters 2>/dev/null) ]] || revision+=" with uncommitted changes in core/ or adapters/"
fi

echo "== sessbench"
notes=()
[[ ! -f benchmarks/ANALYSIS.md ]] || notes=(-notes benchmarks/ANALYSIS.md)
"$tmp/sessbench" "${private[@]}" "${notes[@]}" -redis "$SESSKIT_REDIS_URL" -gobench "$tmp/gobench.txt" \
	-bench-count "$count" -bench-time "$benchtime" -rounds "$rounds" -duration "$duration" \
	-concurrency "$concurrency" -trials "$trials" -paired-reps "$paired_reps" -paired-slice "$paired_slice" \
	-cost-rounds "$cost_rounds" -cost-requests "$cost_requests" -cost-workers "$cost_workers" -mem-count "$mem_count" \
	-revision "$revision" -command "scripts/bench.sh" -out "$out"
