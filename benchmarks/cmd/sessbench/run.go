package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/benchmarks/load"
	"github.com/sesskit/sesskit/benchmarks/redistap"
	"github.com/sesskit/sesskit/benchmarks/report"
	"github.com/sesskit/sesskit/benchmarks/stack"
)

// httpScenarios are the scenarios loaded over HTTP (untouched costs no
// Redis work: its in-process figures say all there is).
var httpScenarios = map[string]bool{"create": true, "read": true, "rmw": true, "write50": true}

func run(ctx context.Context, o options) error {
	started := time.Now()
	prefix := "sessbench:" + randomID() + ":"
	cfg, err := stack.ConfigFromURL(o.redisURL, prefix)
	if err != nil {
		return err
	}
	admin := redis.NewClient(&redis.Options{Addr: cfg.Addr})
	defer admin.Close()
	defer cleanup(admin, prefix)

	res := &report.Results{
		Started: started,
		Settings: report.Settings{
			Command: o.command, BenchCount: o.benchCount, BenchTime: o.benchTime, Rounds: o.rounds,
			Duration: o.duration, Warmup: o.warmup, Concurrency: o.concurrency, Trials: o.trials,
			CountRequests: o.countRequests, Private: o.private, PairedReps: o.pairedReps, PairedSlice: o.pairedSlice,
			CostRounds: o.costRounds, CostRequests: o.costRequests, CostWorkers: o.costWorkers,
		},
		Machine: machine(ctx, admin),
		Lost:    map[string][]int{},
		HTTP:    map[report.Key]report.HTTP{},
	}
	for _, sc := range stack.Scenarios {
		res.Scenarios = append(res.Scenarios, report.Scenario{Name: sc.Name, Title: sc.Title, HTTP: httpScenarios[sc.Name]})
	}
	if o.gobench != "" {
		f, err := os.Open(o.gobench)
		if err != nil {
			return err
		}
		res.Bench, err = report.ParseGoBench(f)
		f.Close()
		if err != nil {
			return err
		}
	}

	if o.only == "" {
		logf("counting round trips, commands and bytes (%d requests per case)", o.countRequests)
		if res.Wire, err = countWire(ctx, cfg, admin, o); err != nil {
			return err
		}
		if o.private && o.costRounds > 0 {
			if err := measureRedis(ctx, cfg, admin, o, res); err != nil {
				return err
			}
		}
	}

	stacks, err := stack.Build(cfg)
	if err != nil {
		return err
	}
	defer func() {
		for _, st := range stacks {
			if err := st.Close(); err != nil {
				logf("%v", err)
			}
		}
	}()
	addrs := map[*stack.Stack]string{}
	clients := map[*stack.Stack]*stack.Client{}
	for _, st := range stacks {
		res.Stacks = append(res.Stacks, report.Key{Framework: st.Framework, Library: st.Library})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		if err := st.Serve(ln); err != nil {
			return err
		}
		addrs[st], clients[st] = ln.Addr().String(), stack.NewClient(st)
	}

	if o.only != "" {
		return loadHTTP(ctx, o, stacks, addrs, clients, res)
	}
	if o.redisOnly {
		return writeReport(o, res, started)
	}
	logf("lost updates: %d trials per stack", o.trials)
	for _, st := range stacks {
		for range o.trials {
			if ctx.Err() != nil {
				return errInterrupted
			}
			n, err := stack.Survivors(clients[st], addrs[st])
			if err != nil {
				return err
			}
			res.Lost[st.Name()] = append(res.Lost[st.Name()], n)
		}
		logf("  %-20s %v", st.Name(), res.Lost[st.Name()])
	}

	if err := loadHTTP(ctx, o, stacks, addrs, clients, res); err != nil {
		return err
	}
	return writeReport(o, res, started)
}

// writeReport writes the report and logs the targets.
func writeReport(o options, res *report.Results, started time.Time) error {
	if o.notes != "" { // read last, so it can be written while the run goes on
		b, err := os.ReadFile(o.notes)
		if err != nil {
			return err
		}
		res.Notes = string(b)
	}
	res.Versions = versions(o.revision)
	res.Machine.LoadAfter = loadavg()
	res.Elapsed = time.Since(started)
	f, err := os.Create(o.out)
	if err != nil {
		return err
	}
	if err := report.Markdown(f, res); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	logf("wrote %s", o.out)
	for _, t := range report.Targets(res) {
		verdict := "MISSED"
		if t.Met {
			verdict = "met"
		} else if !t.Known {
			verdict = "not measured"
		}
		logf("target %-6s %s: %s", verdict, t.Goal, t.Measured)
	}
	return nil
}

// countWire measures, per scenario and stack, what one request sends Redis:
// stacks built on a counting proxy, serial requests in process.
func countWire(ctx context.Context, cfg stack.Config, admin *redis.Client, o options) (map[report.Key]report.Wire, error) {
	tap, err := redistap.Listen(cfg.Addr)
	if err != nil {
		return nil, err
	}
	defer tap.Close()
	tcfg := cfg
	tcfg.Addr, tcfg.Prefix = tap.Addr(), cfg.Prefix+"wire:"
	stacks, err := stack.Build(tcfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, st := range stacks {
			_ = st.Close()
		}
	}()
	// One INFO call's own input bytes, to take out of every delta.
	s1, err := redistap.ReadServer(ctx, admin)
	if err != nil {
		return nil, err
	}
	s2, err := redistap.ReadServer(ctx, admin)
	if err != nil {
		return nil, err
	}
	infoBytes := s2.InputBytes - s1.InputBytes
	out := map[report.Key]report.Wire{}
	n := float64(o.countRequests)
	for _, sc := range stack.Scenarios {
		for _, st := range stacks {
			if ctx.Err() != nil {
				return nil, errInterrupted
			}
			c := stack.NewClient(st)
			cookie := ""
			if sc.Seed >= 0 {
				if cookie, err = stack.Seed(c, sc.Seed); err != nil {
					return nil, err
				}
			}
			for range 3 {
				if status := c.Do(sc.Method, sc.Path, cookie); status != 200 {
					return nil, fmt.Errorf("%s %s: status %d: %s", sc.Name, st.Name(), status, c.Body())
				}
			}
			t0 := tap.Counts()
			v0, err := redistap.ReadServer(ctx, admin)
			if err != nil {
				return nil, err
			}
			for range o.countRequests {
				if status := c.Do(sc.Method, sc.Path, cookie); status != 200 {
					return nil, fmt.Errorf("%s %s: status %d: %s", sc.Name, st.Name(), status, c.Body())
				}
			}
			v1, err := redistap.ReadServer(ctx, admin)
			if err != nil {
				return nil, err
			}
			t := tap.Counts().Sub(t0)
			v := v1.Sub(v0)
			w := report.Wire{
				RoundTrips:     float64(t.RoundTrips) / n,
				Commands:       float64(t.Commands) / n,
				Names:          names(t.Names, n),
				ServerCommands: -1,
				BytesToRedis:   float64(t.BytesIn) / n,
				TopLevel:       map[string]float64{},
			}
			for name, calls := range t.Names {
				if top := calls - t.Queued[name]; top > 0 {
					w.TopLevel[name] = float64(top) / n
				}
			}
			if o.private {
				w.ServerCommands = float64(v.Total("info")) / n
				w.BytesToRedis = float64(v.InputBytes-infoBytes) / n
				if got := v.InputBytes - infoBytes; got != t.BytesIn {
					logf("warning: %s %s: server counted %d input bytes, the proxy %d (is the Redis private?)", sc.Name, st.Name(), got, t.BytesIn)
				}
			}
			out[report.Key{Scenario: sc.Name, Framework: st.Framework, Library: st.Library}] = w
			logf("  %-9s %-20s %5.2f round trips  %-22s %6.0f B", sc.Name, st.Name(), w.RoundTrips, w.Names, w.BytesToRedis)
		}
	}
	return out, nil
}

// measureRedis measures the Redis cost of every case on the private Redis
// and, with -redis-io, on the one with I/O threads; then the memory of
// sessions.
func measureRedis(ctx context.Context, cfg stack.Config, admin *redis.Client, o options, res *report.Results) error {
	servers := []report.Server{{Name: "plain", Config: "--save '' --appendonly no"}}
	addrs := []string{cfg.Addr}
	if o.redisIO != "" {
		io, err := stack.ConfigFromURL(o.redisIO, cfg.Prefix)
		if err != nil {
			return err
		}
		servers = append(servers, report.Server{Name: "io-threads", Config: "--save '' --appendonly no --io-threads 2 --io-threads-do-reads yes"})
		addrs = append(addrs, io.Addr)
	}
	res.Servers, res.Costs = servers, map[string]map[report.Key]report.Cost{}
	for i, srv := range servers {
		logf("Redis cost per request on the %s server: %d rounds of %d requests per case, %d clients at once",
			srv.Name, o.costRounds, o.costRequests, o.costWorkers)
		costs, err := measureCosts(ctx, cfg, addrs[i], srv.Name, res.Wire, o)
		if err != nil {
			return err
		}
		res.Costs[srv.Name] = costs
	}
	if o.memCount > 0 {
		logf("memory: %d sessions of each shape", o.memCount)
		var err error
		if res.Memory, err = measureMemory(ctx, cfg, admin, o); err != nil {
			return err
		}
	}
	return nil
}

// names formats per-request command counts: "EVALSHA", "GET+SET", "PING×2+GET".
func names(counts map[string]int64, n float64) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		per := float64(counts[k]) / n
		switch {
		case per == 1:
			parts = append(parts, k)
		case per == float64(int64(per)):
			parts = append(parts, fmt.Sprintf("%s×%d", k, int64(per)))
		default:
			parts = append(parts, fmt.Sprintf("%s×%.2f", k, per))
		}
	}
	return strings.Join(parts, "+")
}

// loadHTTP runs the rounds of HTTP load, every stack and scenario once per
// round, and stores the medians in res.
func loadHTTP(ctx context.Context, o options, stacks []*stack.Stack, addrs map[*stack.Stack]string, clients map[*stack.Stack]*stack.Client, res *report.Results) error {
	type samples struct {
		rps, p50, p99, cpu []float64
		errors             int
		err                string
	}
	all := map[report.Key]*samples{}
	// Each connection gets its own session, made once and used every round.
	requests := map[report.Key][][]byte{}
	for _, sc := range stack.Scenarios {
		if !httpScenarios[sc.Name] {
			continue
		}
		for _, st := range stacks {
			k := report.Key{Scenario: sc.Name, Framework: st.Framework, Library: st.Library}
			if o.only != "" && !strings.Contains(sc.Name+"/"+st.Name(), o.only) {
				continue
			}
			reqs := make([][]byte, o.concurrency)
			for i := range reqs {
				cookie := ""
				if sc.Seed >= 0 {
					var err error
					if cookie, err = stack.Seed(clients[st], sc.Seed); err != nil {
						return err
					}
				}
				reqs[i] = load.NewRequest(sc.Method, sc.Path, cookie)
			}
			requests[k], all[k] = reqs, &samples{}
		}
	}
	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cases := len(requests) * o.rounds
	logf("HTTP load: %d cases x %v (+%v warm-up), %d connections, about %v",
		cases, o.duration, o.warmup, o.concurrency, time.Duration(cases)*(o.duration+o.warmup))
	for round := 1; round <= o.rounds; round++ {
		for _, sc := range stack.Scenarios {
			if !httpScenarios[sc.Name] {
				continue
			}
			for _, st := range stacks {
				if ctx.Err() != nil {
					return errInterrupted
				}
				k := report.Key{Scenario: sc.Name, Framework: st.Framework, Library: st.Library}
				if _, ok := requests[k]; !ok {
					continue
				}
				runtime.GC()
				r, err := load.Run(ctx, load.Options{
					Addr: addrs[st], Concurrency: o.concurrency, Duration: o.duration, Warmup: o.warmup,
					Request: func(w int) []byte { return requests[k][w] },
				})
				if err != nil {
					return err
				}
				s := all[k]
				s.rps = append(s.rps, r.RPS)
				s.p50 = append(s.p50, float64(r.P50))
				s.p99 = append(s.p99, float64(r.P99))
				if r.Requests > 0 {
					s.cpu = append(s.cpu, float64(r.CPU)/float64(r.Requests))
				}
				s.errors += r.Errors
				if r.Err != nil && s.err == "" {
					s.err = r.Err.Error()
				}
				cpu := time.Duration(0)
				if r.Requests > 0 {
					cpu = r.CPU / time.Duration(r.Requests)
				}
				logf("  round %d/%d %-8s %-20s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  cpu %5.1f µs/req  errors %d",
					round, o.rounds, sc.Name, st.Name(), r.RPS, ms(r.P50), ms(r.P99), float64(cpu)/1e3, r.Errors)
			}
		}
	}
	if o.only == "" && o.pairedReps > 0 {
		if err := pairedRMW(ctx, o, stacks, addrs, requests, res); err != nil {
			return err
		}
	}
	for k, s := range all {
		res.HTTP[k] = report.HTTP{
			RPS: report.Median(s.rps), P50: time.Duration(report.Median(s.p50)), P99: time.Duration(report.Median(s.p99)),
			CPU:    time.Duration(report.Median(s.cpu)),
			Errors: s.errors, Runs: len(s.rps), Err: s.err,
		}
	}
	return nil
}

// pairedRMW runs read-modify-write on sesskit, the peer and the floor of
// each framework back to back in short slices, many times, rotating their
// order, and keeps the median of the per-repetition ratios: background load
// drifts over seconds, so neighbours in time see nearly the same machine.
func pairedRMW(ctx context.Context, o options, stacks []*stack.Stack, addrs map[*stack.Stack]string, requests map[report.Key][][]byte, res *report.Results) error {
	res.Paired = map[string]report.Paired{}
	logf("paired rmw: %d repetitions of %v per stack and framework", o.pairedReps, o.pairedSlice)
	for _, fw := range stack.Frameworks {
		var trio []*stack.Stack // sesskit, peer, floor
		for _, lib := range []func(*stack.Stack) bool{
			func(s *stack.Stack) bool { return s.Library == stack.LibSesskit },
			(*stack.Stack).IsPeer,
			func(s *stack.Stack) bool { return s.Library == stack.LibFloor },
		} {
			for _, st := range stacks {
				if st.Framework == fw && lib(st) {
					trio = append(trio, st)
				}
			}
		}
		if len(trio) != 3 {
			return fmt.Errorf("paired rmw: %s has %d stacks, want sesskit, a peer and the floor", fw, len(trio))
		}
		var p report.Paired
		for rep := range o.pairedReps {
			var rps, cpu [3]float64
			for j := range 3 {
				i := (rep + j) % 3 // rotate who goes first
				if ctx.Err() != nil {
					return errInterrupted
				}
				k := report.Key{Scenario: "rmw", Framework: fw, Library: trio[i].Library}
				runtime.GC()
				r, err := load.Run(ctx, load.Options{
					Addr: addrs[trio[i]], Concurrency: o.concurrency, Duration: o.pairedSlice, Warmup: o.pairedSlice / 4,
					Request: func(w int) []byte { return requests[k][w] },
				})
				if err != nil {
					return err
				}
				if r.Errors > 0 || r.Requests == 0 {
					return fmt.Errorf("paired rmw %s: %d errors: %v", trio[i].Name(), r.Errors, r.Err)
				}
				rps[i], cpu[i] = r.RPS, float64(r.CPU)/float64(r.Requests)
			}
			p.RPSvsPeer = append(p.RPSvsPeer, rps[0]/rps[1])
			p.RPSvsFloor = append(p.RPSvsFloor, rps[0]/rps[2])
			p.CPUvsPeer = append(p.CPUvsPeer, cpu[0]/cpu[1])
			p.CPUvsFloor = append(p.CPUvsFloor, cpu[0]/cpu[2])
		}
		res.Paired[fw] = p
		logf("  %-5s req/s sesskit/%s %.2f, sesskit/floor %.2f; CPU/req sesskit/%s %.2f, sesskit/floor %.2f (medians)",
			fw, trio[1].Library, report.Median(p.RPSvsPeer), report.Median(p.RPSvsFloor),
			trio[1].Library, report.Median(p.CPUvsPeer), report.Median(p.CPUvsFloor))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cleanup deletes every key of the run.
func cleanup(rdb *redis.Client, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := 0
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	flush := func() {
		if len(batch) > 0 {
			_ = rdb.Unlink(ctx, batch...).Err()
			n += len(batch)
			batch = batch[:0]
		}
	}
	for iter.Next(ctx) {
		if batch = append(batch, iter.Val()); len(batch) == 500 {
			flush()
		}
	}
	flush()
	if err := iter.Err(); err != nil {
		logf("cleanup: %v", err)
	}
	logf("deleted %d keys under %s", n, prefix)
}

// versions lists the modules the comparison depends on, as built.
func versions(revision string) [][2]string {
	want := []string{
		"github.com/redis/go-redis/v9",
		"github.com/go-chi/chi/v5",
		"github.com/alexedwards/scs/v2",
		"github.com/alexedwards/scs/goredisstore",
		"github.com/gin-gonic/gin",
		"github.com/gin-contrib/sessions",
		"github.com/labstack/echo/v4",
		"github.com/labstack/echo-contrib",
		"github.com/gorilla/sessions",
		"github.com/boj/redistore",
		"github.com/gomodule/redigo",
		"github.com/gofiber/fiber/v2",
		"github.com/valyala/fasthttp",
		"github.com/gofiber/storage/redis/v3",
	}
	got := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			v := d.Version
			if d.Replace != nil {
				v = d.Replace.Path
				if d.Replace.Version != "" {
					v += " " + d.Replace.Version
				}
			}
			got[d.Path] = v
		}
	}
	if revision == "" {
		revision = "this repository"
	}
	out := [][2]string{{"github.com/sesskit/sesskit (core, adapters)", revision}}
	for _, m := range want {
		v, ok := got[m]
		if !ok {
			v = "?"
		}
		out = append(out, [2]string{m, v})
	}
	return out
}

func machine(ctx context.Context, admin *redis.Client) report.Machine {
	m := report.Machine{
		CPU: "unknown", Cores: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), Redis: "unknown",
		LoadBefore: loadavg(),
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.OS += ", Linux " + strings.TrimSpace(string(b))
	}
	if info, err := admin.Info(ctx, "server").Result(); err == nil {
		for line := range strings.Lines(info) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
				m.Redis = v
			}
		}
	}
	return m
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], ", ")
}
