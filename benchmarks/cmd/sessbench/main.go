// Command sessbench measures sesskit and the session libraries it is
// compared with on one Redis, and writes BENCHMARKS.md. scripts/bench.sh
// runs it after `go test -bench`, whose output it reads:
//
//	sessbench -redis redis://127.0.0.1:PORT/0 -private -gobench bench.txt -out BENCHMARKS.md
//
// It counts round trips, commands and bytes per request through a proxy
// (and the server's INFO counters with -private, when the Redis is its
// own: then it also measures what each request costs Redis, per command
// and in CPU, and what sessions take in memory), runs the lost-updates check, and loads every stack over HTTP on
// 127.0.0.1 for a fixed time. Everything it writes to Redis is under a
// prefix of its own, deleted at the end; it never flushes a database.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	redisURL      string
	private       bool
	gobench       string
	out           string
	notes         string
	command       string
	benchCount    int
	benchTime     string
	rounds        int
	duration      time.Duration
	warmup        time.Duration
	concurrency   int
	trials        int
	countRequests int
	only          string
	cpuprofile    string
	pairedReps    int
	pairedSlice   time.Duration
	revision      string
	redisIO       string
	costRounds    int
	costRequests  int
	costWorkers   int
	memCount      int
	redisOnly     bool
}

func main() {
	var o options
	flag.StringVar(&o.redisURL, "redis", os.Getenv("SESSKIT_REDIS_URL"), "redis://host:port/0 of the Redis to use (default $SESSKIT_REDIS_URL)")
	flag.BoolVar(&o.private, "private", false, "the Redis serves nobody else: use its INFO counters")
	flag.StringVar(&o.gobench, "gobench", "", "file with the output of go test -bench BenchmarkScenario")
	flag.StringVar(&o.out, "out", "BENCHMARKS.md", "markdown report to write")
	flag.StringVar(&o.notes, "notes", "", "markdown file appended to the report (the analysis)")
	flag.StringVar(&o.command, "command", "scripts/bench.sh", "the command named in the report")
	flag.IntVar(&o.benchCount, "bench-count", 0, "the -count the go test -bench run used (for the report)")
	flag.StringVar(&o.benchTime, "bench-time", "", "the -benchtime the go test -bench run used (for the report)")
	flag.IntVar(&o.rounds, "rounds", 3, "HTTP load rounds (each runs every case once)")
	flag.DurationVar(&o.duration, "duration", 2500*time.Millisecond, "measured time per HTTP case")
	flag.DurationVar(&o.warmup, "warmup", 250*time.Millisecond, "unmeasured time before each HTTP case")
	flag.IntVar(&o.concurrency, "concurrency", 8, "HTTP connections per case")
	flag.IntVar(&o.trials, "trials", 5, "lost-updates trials per stack")
	flag.IntVar(&o.countRequests, "count-requests", 100, "serial requests per case when counting round trips and bytes")
	flag.IntVar(&o.pairedReps, "paired-reps", 12, "paired rmw repetitions per framework (sesskit, peer and floor back to back)")
	flag.DurationVar(&o.pairedSlice, "paired-slice", 400*time.Millisecond, "measured time of one stack in a paired repetition")
	flag.StringVar(&o.redisIO, "redis-io", "", "redis://host:port/0 of a second private Redis started with --io-threads 2 --io-threads-do-reads yes: its costs are reported too")
	flag.IntVar(&o.costRounds, "cost-rounds", 5, "rounds of the Redis cost measurement (each runs every case once; -private only)")
	flag.IntVar(&o.costRequests, "cost-requests", 2000, "requests per case and round in the Redis cost measurement")
	flag.IntVar(&o.costWorkers, "cost-workers", 4, "in-process clients sending the cost measurement's requests at once")
	flag.IntVar(&o.memCount, "mem-count", 5000, "sessions of each shape in the memory measurement (-private only)")
	flag.BoolVar(&o.redisOnly, "redis-only", false, "count the wire and measure Redis costs and memory only: no lost-updates check, no HTTP load")
	flag.StringVar(&o.revision, "revision", "", "the sesskit revision measured (for the report)")
	flag.StringVar(&o.only, "only", "", "HTTP load only the cases whose scenario/framework/library contains this (profiling); skips the report")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the HTTP load to this file")
	flag.Parse()
	if o.redisURL == "" {
		fmt.Fprintln(os.Stderr, "sessbench: -redis or SESSKIT_REDIS_URL is required")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "sessbench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "sessbench: "+format+"\n", args...)
}

func randomID() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var errInterrupted = errors.New("interrupted")
