package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/benchmarks/redistap"
	"github.com/sesskit/sesskit/benchmarks/report"
	"github.com/sesskit/sesskit/benchmarks/stack"
)

// measureCosts measures what one request of every scenario on every stack
// costs the private Redis at addr, from its own counters: o.costRounds
// rounds, each running every case once, in-process clients sending
// o.costRequests requests per case, o.costWorkers at a time. top holds, per
// case, the commands the wire count saw sent top-level.
func measureCosts(ctx context.Context, base stack.Config, addr, server string, wire map[report.Key]report.Wire, o options) (map[report.Key]report.Cost, error) {
	cfg := base
	cfg.Addr, cfg.Prefix = addr, base.Prefix+"cost-"+server+":"
	admin := redis.NewClient(&redis.Options{Addr: addr, PoolSize: 1})
	defer admin.Close()
	defer cleanup(admin, cfg.Prefix)
	stacks, err := stack.Build(cfg)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, st := range stacks {
			_ = st.Close()
		}
	}()
	out := map[report.Key]report.Cost{}
	for round := 1; round <= o.costRounds; round++ {
		for _, sc := range stack.Scenarios {
			for _, st := range stacks {
				if ctx.Err() != nil {
					return nil, errInterrupted
				}
				k := report.Key{Scenario: sc.Name, Framework: st.Framework, Library: st.Library}
				w, ok := wire[k]
				if !ok {
					return nil, fmt.Errorf("redis cost %s %s: no wire count to tell top-level commands", sc.Name, st.Name())
				}
				d, n, err := costCase(ctx, admin, st, sc, o)
				if err != nil {
					return nil, fmt.Errorf("redis cost %s %s: %w", sc.Name, st.Name(), err)
				}
				usec, exact := d.TopLevel(w.TopLevel, n)
				c := out[k]
				if round == 1 {
					c.Exact = true
				}
				c.Cmd = append(c.Cmd, usec/n)
				c.CPU = append(c.CPU, d.CPU*1e6/n)
				c.MainCPU = append(c.MainCPU, d.MainCPU*1e6/n)
				c.Exact = c.Exact && exact
				c.Threaded = float64(d.IOReads+d.IOWrites) / n
				c.Commands = serverCommands(d, n)
				out[k] = c
				if !exact {
					logf("  note: %s %s %s: a command ran both top-level and nested; its time was split by calls", server, sc.Name, st.Name())
				}
			}
		}
		logf("  %s: round %d/%d done", server, round, o.costRounds)
	}
	for _, sc := range stack.Scenarios {
		for _, st := range stacks {
			k := report.Key{Scenario: sc.Name, Framework: st.Framework, Library: st.Library}
			c := out[k]
			logf("  %-10s %-9s %-20s cmd %6.2f µs  cpu %6.2f µs  main %6.2f µs  (%s)", server, sc.Name, st.Name(),
				report.Median(c.Cmd), report.Median(c.CPU), report.Median(c.MainCPU), c.Commands)
		}
	}
	return out, nil
}

// costCase runs one case: o.costWorkers clients, each with a session of
// its own, warmed up together, then CONFIG RESETSTAT and the measured
// requests between two INFO snapshots. It returns the counters' delta and
// the number of requests.
func costCase(ctx context.Context, admin *redis.Client, st *stack.Stack, sc stack.Scenario, o options) (redistap.Server, float64, error) {
	workers := max(o.costWorkers, 1)
	per := max(o.costRequests/workers, 1)
	clients := make([]*stack.Client, workers)
	cookies := make([]string, workers)
	for i := range clients {
		clients[i] = stack.NewClient(st)
		if sc.Seed >= 0 {
			var err error
			if cookies[i], err = stack.Seed(clients[i], sc.Seed); err != nil {
				return redistap.Server{}, 0, err
			}
		}
	}
	// Every client at once, so the pools hold their connections before the
	// counters start (a new connection's HELLO would count).
	each := func(count int) error {
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Go(func() {
				for range count {
					if status := c.Do(sc.Method, sc.Path, cookies[i]); status != 200 {
						errs[i] = fmt.Errorf("status %d: %s", status, c.Body())
						return
					}
				}
			})
		}
		wg.Wait()
		return errors.Join(errs...)
	}
	if err := each(3); err != nil {
		return redistap.Server{}, 0, err
	}
	if err := admin.ConfigResetStat(ctx).Err(); err != nil {
		return redistap.Server{}, 0, err
	}
	s0, err := redistap.ReadServer(ctx, admin)
	if err != nil {
		return redistap.Server{}, 0, err
	}
	if err := each(per); err != nil {
		return redistap.Server{}, 0, err
	}
	s1, err := redistap.ReadServer(ctx, admin)
	if err != nil {
		return redistap.Server{}, 0, err
	}
	return s1.Sub(s0), float64(per * workers), nil
}

// serverCommands formats the calls the server counted per request, nested
// ones included: "evalsha 1, hmget 2, hset 1".
func serverCommands(d redistap.Server, n float64) string {
	var names []string
	for name := range d.Calls {
		if name != "info" && !strings.HasPrefix(name, "config|") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	parts := make([]string, 0, len(names))
	for _, name := range names {
		per := float64(d.Calls[name]) / n
		if per < 0.005 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s", name, trim(per)))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func trim(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}
