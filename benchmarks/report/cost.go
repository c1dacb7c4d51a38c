package report

import (
	"fmt"
	"strings"
)

// Spread is a median with the range it came from.
type Spread struct {
	Median, Min, Max float64
	N                int
}

// spread summarises xs.
func spread(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	s := Spread{Median: Median(xs), Min: xs[0], Max: xs[0], N: len(xs)}
	for _, x := range xs {
		s.Min, s.Max = min(s.Min, x), max(s.Max, x)
	}
	return s
}

// ratios returns a[i]/b[i] for the rounds where both are positive: each
// round ran sesskit and the floor seconds apart, under the same load.
func ratios(a, b []float64) []float64 {
	var out []float64
	for i := range min(len(a), len(b)) {
		if a[i] > 0 && b[i] > 0 {
			out = append(out, a[i]/b[i])
		}
	}
	return out
}

// CostRatio is sesskit's (or a peer's) cost over the floor's of the same
// framework, per round: command time, whole-process CPU and main-thread CPU.
func (res *Results) CostRatio(server string, k Key) (cmd, cpu, main Spread, ok bool) {
	costs := res.Costs[server]
	c, ok1 := costs[k]
	f, ok2 := costs[Key{k.Scenario, k.Framework, floor}]
	if !ok1 || !ok2 {
		return Spread{}, Spread{}, Spread{}, false
	}
	cmd, cpu, main = spread(ratios(c.Cmd, f.Cmd)), spread(ratios(c.CPU, f.CPU)), spread(ratios(c.MainCPU, f.MainCPU))
	return cmd, cpu, main, cmd.N > 0 && cpu.N > 0
}

// costLimits are the goals: command time per request at most
// cmd times the floor's, whole-process CPU at most cpu times.
var costLimits = map[string]struct{ cmd, cpu float64 }{
	"create": {3, 1.3}, "read": {1.5, 1.3}, "write": {3, 1.3}, "rmw": {3, 1.3}, "write50": {3, 1.3},
}

// costTargets checks the Redis cost goals on the plain server.
func costTargets(res *Results) []Target {
	const server = "plain"
	if len(res.Costs[server]) == 0 {
		return nil
	}
	var out []Target
	for _, sc := range res.Scenarios {
		lim, ok := costLimits[sc.Name]
		if !ok {
			continue
		}
		for _, metric := range []string{"command time", "whole-process CPU"} {
			limit := lim.cmd
			if metric != "command time" {
				limit = lim.cpu
			}
			t := Target{Goal: fmt.Sprintf("Redis %s per request, %s: at most %gx the plain-command floor", metric, sc.Name, limit), Met: true, Known: true}
			var got []string
			for _, fw := range res.frameworks() {
				cmd, cpu, _, ok := res.CostRatio(server, Key{sc.Name, fw, sesskit})
				if !ok {
					t.Known = false
					continue
				}
				r := cmd
				if metric != "command time" {
					r = cpu
				}
				got = append(got, fmt.Sprintf("%s %s", fw, ratioSpread(r)))
				t.Met = t.Met && r.Median <= limit
			}
			t.Measured = strings.Join(got, ", ")
			out = append(out, t)
		}
	}
	// O(changed fields): one changed value costs the same in a 53-value
	// session as in a 3-value one.
	t := Target{Goal: "Redis command time of a one-value write independent of session size: 53-value session at most 1.25x a 3-value one", Met: true, Known: true}
	var got []string
	for _, fw := range res.frameworks() {
		big, ok1 := res.Costs[server][Key{"write50", fw, sesskit}]
		small, ok2 := res.Costs[server][Key{"write", fw, sesskit}]
		if !ok1 || !ok2 {
			t.Known = false
			continue
		}
		r := spread(ratios(big.Cmd, small.Cmd))
		got = append(got, fmt.Sprintf("%s %s", fw, ratioSpread(r)))
		t.Met = t.Met && r.Median <= 1.25
	}
	t.Measured = strings.Join(got, ", ")
	return append(out, t)
}

// ratioSpread prints "2.10x (1.9-2.4)".
func ratioSpread(s Spread) string {
	if s.N == 0 {
		return "—"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.2fx", s.Median)
	}
	return fmt.Sprintf("%.2fx (%.2f-%.2f)", s.Median, s.Min, s.Max)
}

// usSpread prints "12.3 (11.0-14.1)".
func usSpread(xs []float64) string {
	s := spread(xs)
	if s.N == 0 {
		return "—"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.2f", s.Median)
	}
	return fmt.Sprintf("%.2f (%.2f-%.2f)", s.Median, s.Min, s.Max)
}
