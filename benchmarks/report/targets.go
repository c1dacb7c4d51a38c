package report

import (
	"fmt"
	"strings"
	"time"
)

// Libraries the targets compare sesskit with.
const (
	sesskit = "sesskit"
	floor   = "floor"
)

// A Target is one goal of the issue with what was measured.
type Target struct {
	Goal     string
	Measured string
	Met      bool
	Known    bool // false when a figure it needs is missing
}

// wantTrips is the round-trip budget of DESIGN.md per scenario.
var wantTrips = []struct {
	scenario string
	trips    float64
}{
	{"create", 1}, {"read", 1}, {"write", 1}, {"write50", 1}, {"rmw", 2}, {"untouched", 0},
}

// Targets checks the targets against res.
func Targets(res *Results) []Target {
	var out []Target
	frameworks := res.frameworks()
	for _, w := range wantTrips {
		t := Target{Goal: fmt.Sprintf("round trips, %s: %g", w.scenario, w.trips), Met: true, Known: true}
		var got []string
		for _, fw := range frameworks {
			wire, ok := res.Wire[Key{w.scenario, fw, sesskit}]
			if !ok {
				t.Known = false
				continue
			}
			got = append(got, fmt.Sprintf("%s %s", fw, num(wire.RoundTrips)))
			t.Met = t.Met && wire.RoundTrips == w.trips
		}
		t.Measured = strings.Join(got, ", ")
		out = append(out, t)
	}
	out = append(out, costTargets(res)...)
	for _, fw := range frameworks {
		out = append(out, serialTarget(res, fw))
	}
	for _, fw := range frameworks {
		out = append(out, allocPeerTarget(res, fw))
	}
	for _, sc := range res.Scenarios {
		out = append(out, allocTarget(res, sc.Name, "chi", "scs", 0.40))
	}
	for _, fw := range frameworks {
		out = append(out, bytesTarget(res, fw))
	}
	for _, fw := range frameworks {
		t := Target{Goal: fmt.Sprintf("lost updates, %s: 50 of 50 kept in every trial", fw), Known: true}
		trials := res.Lost[fw+"/"+sesskit]
		t.Known = len(trials) > 0
		t.Met = t.Known
		for _, n := range trials {
			t.Met = t.Met && n == 50
		}
		t.Measured = joinInts(trials)
		out = append(out, t)
	}
	for _, fw := range frameworks {
		out = append(out, throughputTargets(res, fw)...)
	}
	return out
}

// serialTarget: serial read-modify-write in process no slower than the
// peer on the same framework.
func serialTarget(res *Results, fw string) Target {
	peer := res.peer(fw)
	goal := fmt.Sprintf("serial read-modify-write in process (µs/op), %s: no slower than %s", fw, peer)
	ours, ok1 := res.Bench[Key{"rmw", fw, sesskit}]
	theirs, ok2 := res.Bench[Key{"rmw", fw, peer}]
	if !ok1 || !ok2 {
		return Target{Goal: goal, Measured: "not measured"}
	}
	return Target{
		Goal:     goal,
		Measured: fmt.Sprintf("%.1f vs %.1f (%s)", ours.NsOp/1e3, theirs.NsOp/1e3, pct(ours.NsOp, theirs.NsOp)),
		Met:      ours.NsOp <= theirs.NsOp,
		Known:    true,
	}
}

// allocPeerTarget: in every scenario, no more allocations per request than
// the peer on the same framework.
func allocPeerTarget(res *Results, fw string) Target {
	peer := res.peer(fw)
	t := Target{Goal: fmt.Sprintf("allocs/request, every scenario on %s: at most %s's", fw, peer), Met: true, Known: true}
	var got []string
	for _, sc := range res.Scenarios {
		ours, ok1 := res.Bench[Key{sc.Name, fw, sesskit}]
		theirs, ok2 := res.Bench[Key{sc.Name, fw, peer}]
		if !ok1 || !ok2 {
			t.Known = false
			continue
		}
		mark := ""
		if ours.AllocsOp > theirs.AllocsOp {
			mark, t.Met = " **over**", false
		}
		got = append(got, fmt.Sprintf("%s %s vs %s%s", sc.Name, num(ours.AllocsOp), num(theirs.AllocsOp), mark))
	}
	t.Measured = strings.Join(got, ", ")
	if !t.Known {
		t.Measured = "not measured"
	}
	return t
}

func allocTarget(res *Results, scenario, fw, peer string, ratio float64) Target {
	goal := fmt.Sprintf("allocs/request, %s on %s: at most %.0f%% of %s's", scenario, fw, ratio*100, peer)
	if ratio == 1 {
		goal = fmt.Sprintf("allocs/request, %s on %s: at most %s's", scenario, fw, peer)
	}
	ours, ok1 := res.Bench[Key{scenario, fw, sesskit}]
	theirs, ok2 := res.Bench[Key{scenario, fw, peer}]
	if !ok1 || !ok2 {
		return Target{Goal: goal, Measured: "not measured"}
	}
	return Target{
		Goal:     goal,
		Measured: fmt.Sprintf("%s vs %s (%s)", num(ours.AllocsOp), num(theirs.AllocsOp), pct(ours.AllocsOp, theirs.AllocsOp)),
		Met:      ours.AllocsOp <= ratio*theirs.AllocsOp,
		Known:    true,
	}
}

func bytesTarget(res *Results, fw string) Target {
	goal := fmt.Sprintf("bytes to Redis, 1 changed value of ~4 KB (%s): at most 10%% of a whole-session rewrite", fw)
	ours, ok := res.Wire[Key{"write50", fw, sesskit}]
	peer := res.peer(fw)
	theirs, ok2 := res.Wire[Key{"write50", fw, peer}]
	if !ok || !ok2 {
		return Target{Goal: goal, Measured: "not measured"}
	}
	return Target{
		Goal:     goal,
		Measured: fmt.Sprintf("%.0f B vs %s %.0f B (%s)", ours.BytesToRedis, peer, theirs.BytesToRedis, pct(ours.BytesToRedis, theirs.BytesToRedis)),
		Met:      ours.BytesToRedis <= 0.10*theirs.BytesToRedis,
		Known:    true,
	}
}

func throughputTargets(res *Results, fw string) []Target {
	peer := res.peer(fw)
	if p, ok := res.Paired[fw]; ok && len(p.RPSvsPeer) > 0 {
		return pairedTargets(p, fw, peer)
	}
	ours, ok := res.HTTP[Key{"rmw", fw, sesskit}]
	theirs, ok2 := res.HTTP[Key{"rmw", fw, peer}]
	fl, ok3 := res.HTTP[Key{"rmw", fw, floor}]
	t1 := Target{Goal: fmt.Sprintf("read-modify-write req/s over HTTP, %s: at least 1.3x %s", fw, peer), Measured: "not measured"}
	t2 := Target{Goal: fmt.Sprintf("read-modify-write req/s over HTTP, %s: within 10%% of the go-redis floor", fw), Measured: "not measured"}
	if ok && ok2 && theirs.RPS > 0 {
		t1.Measured = fmt.Sprintf("%.0f vs %.0f (%.2fx)", ours.RPS, theirs.RPS, ours.RPS/theirs.RPS)
		t1.Met, t1.Known = ours.RPS >= 1.3*theirs.RPS, true
	}
	if ok && ok3 && fl.RPS > 0 {
		t2.Measured = fmt.Sprintf("%.0f vs floor %.0f (%s)", ours.RPS, fl.RPS, pct(ours.RPS, fl.RPS))
		t2.Met, t2.Known = ours.RPS >= 0.9*fl.RPS, true
	}
	// The same two goals on CPU per request, which load on the machine
	// disturbs less: 1.3x the throughput is at most 1/1.3 of the peer's CPU,
	// within 10% of the floor's throughput is at most floor/0.9.
	t3 := Target{Goal: fmt.Sprintf("same, as CPU per request (%s): at most 1/1.3 of %s's", fw, peer), Measured: "not measured"}
	t4 := Target{Goal: fmt.Sprintf("same, as CPU per request (%s): at most the floor's / 0.9", fw), Measured: "not measured"}
	if ok && ok2 && ours.CPU > 0 && theirs.CPU > 0 {
		t3.Measured = fmt.Sprintf("%s vs %s (%s)", us(ours.CPU), us(theirs.CPU), pct(float64(ours.CPU), float64(theirs.CPU)))
		t3.Met, t3.Known = float64(ours.CPU)*1.3 <= float64(theirs.CPU), true
	}
	if ok && ok3 && ours.CPU > 0 && fl.CPU > 0 {
		t4.Measured = fmt.Sprintf("%s vs floor %s (%s)", us(ours.CPU), us(fl.CPU), pct(float64(ours.CPU), float64(fl.CPU)))
		t4.Met, t4.Known = float64(ours.CPU)*0.9 <= float64(fl.CPU), true
	}
	return []Target{t1, t2, t3, t4}
}

// pairedTargets judges the throughput goals on the paired repetitions.
func pairedTargets(p Paired, fw, peer string) []Target {
	span := func(xs []float64) string {
		lo, hi := xs[0], xs[0]
		for _, x := range xs {
			lo, hi = min(lo, x), max(hi, x)
		}
		return fmt.Sprintf("median of %d paired runs, range %.2f-%.2f", len(xs), lo, hi)
	}
	rp, rf, cp, cf := Median(p.RPSvsPeer), Median(p.RPSvsFloor), Median(p.CPUvsPeer), Median(p.CPUvsFloor)
	return []Target{
		{
			Goal:     fmt.Sprintf("read-modify-write req/s over HTTP, %s: at least 1.3x %s", fw, peer),
			Measured: fmt.Sprintf("%.2fx (%s)", rp, span(p.RPSvsPeer)),
			Met:      rp >= 1.3, Known: true,
		},
		{
			Goal:     fmt.Sprintf("read-modify-write req/s over HTTP, %s: within 10%% of the go-redis floor", fw),
			Measured: fmt.Sprintf("%.0f%% of the floor (%s)", 100*rf, span(p.RPSvsFloor)),
			Met:      rf >= 0.9, Known: true,
		},
		{
			Goal:     fmt.Sprintf("same, as CPU per request (%s): at most 1/1.3 of %s's", fw, peer),
			Measured: fmt.Sprintf("%.0f%% of %s's (%s)", 100*cp, peer, span(p.CPUvsPeer)),
			Met:      cp*1.3 <= 1, Known: true,
		},
		{
			Goal:     fmt.Sprintf("same, as CPU per request (%s): at most the floor's / 0.9", fw),
			Measured: fmt.Sprintf("%.0f%% of the floor's (%s)", 100*cf, span(p.CPUvsFloor)),
			Met:      cf*0.9 <= 1, Known: true,
		},
	}
}

// frameworks returns the frameworks in report order.
func (res *Results) frameworks() []string {
	var out []string
	for _, k := range res.Stacks {
		if len(out) == 0 || out[len(out)-1] != k.Framework {
			out = append(out, k.Framework)
		}
	}
	return out
}

// peer returns the library on fw that is neither sesskit nor the floor.
func (res *Results) peer(fw string) string {
	for _, k := range res.Stacks {
		if k.Framework == fw && k.Library != sesskit && k.Library != floor {
			return k.Library
		}
	}
	return ""
}

func us(d time.Duration) string { return fmt.Sprintf("%.1f µs", float64(d)/1e3) }

func pct(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f%%", 100*a/b)
}

// num prints whole numbers without decimals and others with two.
func num(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d", int64(v))
	}
	return fmt.Sprintf("%.2f", v)
}
