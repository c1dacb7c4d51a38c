package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/sesskit/sesskit/benchmarks/report"
)

const sample = `goos: linux
BenchmarkScenario/read/chi/sesskit-2         	     500	    106973 ns/op	    3416 B/op	      67 allocs/op
BenchmarkScenario/read/chi/sesskit-2         	     500	    100000 ns/op	    3416 B/op	      66 allocs/op
BenchmarkScenario/read/chi/sesskit-2         	     500	    120000 ns/op	    3416 B/op	      67 allocs/op
BenchmarkScenario/read/chi/scs               	     500	    134553 ns/op	   10505 B/op	     226 allocs/op
BenchmarkScenario/read/fiber/fiber-session-2 	     500	    128972 ns/op	    9058 B/op	     198 allocs/op
PASS
`

func TestParseGoBench(t *testing.T) {
	got, err := report.ParseGoBench(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  report.Key
		want report.Bench
	}{
		{report.Key{"read", "chi", "sesskit"}, report.Bench{NsOp: 106973, BytesOp: 3416, AllocsOp: 67, Runs: 3}},
		{report.Key{"read", "chi", "scs"}, report.Bench{NsOp: 134553, BytesOp: 10505, AllocsOp: 226, Runs: 1}},
		{report.Key{"read", "fiber", "fiber-session"}, report.Bench{NsOp: 128972, BytesOp: 9058, AllocsOp: 198, Runs: 1}},
	}
	if len(got) != len(tests) {
		t.Errorf("%d cases, want %d: %v", len(got), len(tests), got)
	}
	for _, tt := range tests {
		if got[tt.key] != tt.want {
			t.Errorf("%v: %+v, want %+v", tt.key, got[tt.key], tt.want)
		}
	}
	if _, err := report.ParseGoBench(strings.NewReader("BenchmarkScenario/read-2 1 1 ns/op\n")); err == nil {
		t.Error("a name without framework and library was accepted")
	}
}

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0}, {[]float64{3}, 3}, {[]float64{3, 1, 2}, 2}, {[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := report.Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// results is a small run: chi with sesskit, scs and the floor.
func results() *report.Results {
	k := func(sc, lib string) report.Key { return report.Key{Scenario: sc, Framework: "chi", Library: lib} }
	return &report.Results{
		Scenarios: []report.Scenario{{Name: "rmw", Title: "read-modify-write", HTTP: true}, {Name: "write50", Title: "one of 50"}},
		Stacks:    []report.Key{{Framework: "chi", Library: "sesskit"}, {Framework: "chi", Library: "scs"}, {Framework: "chi", Library: "floor"}},
		Wire: map[report.Key]report.Wire{
			k("rmw", "sesskit"):     {RoundTrips: 2, Commands: 2, Names: "EVALSHA×2", ServerCommands: 6, BytesToRedis: 440},
			k("write50", "sesskit"): {RoundTrips: 1, Commands: 1, Names: "EVALSHA", BytesToRedis: 300},
			k("write50", "scs"):     {RoundTrips: 2, Commands: 2, Names: "GET+SET", BytesToRedis: 5000},
		},
		Bench: map[report.Key]report.Bench{
			k("rmw", "sesskit"): {NsOp: 1000, AllocsOp: 90},
			k("rmw", "scs"):     {NsOp: 1000, AllocsOp: 300},
		},
		HTTP: map[report.Key]report.HTTP{
			k("rmw", "sesskit"): {RPS: 1000, P50: time.Millisecond, P99: 2 * time.Millisecond, CPU: 100 * time.Nanosecond},
			k("rmw", "scs"):     {RPS: 700, CPU: 140 * time.Nanosecond},
			k("rmw", "floor"):   {RPS: 1200, CPU: 95 * time.Nanosecond},
		},
		Lost:     map[string][]int{"chi/sesskit": {50, 50}, "chi/scs": {3, 1}},
		Settings: report.Settings{Command: "scripts/bench.sh", Private: true},
	}
}

func TestTargets(t *testing.T) {
	want := map[string]bool{ // goal prefix -> met
		"round trips, rmw: 2":                                      true,
		"round trips, write50: 1":                                  true,
		"allocs/request, rmw on chi":                               true,
		"bytes to Redis, 1 changed value of ~4 KB (chi)":           true,
		"lost updates, chi":                                        true,
		"read-modify-write req/s over HTTP, chi: at least 1.3x":    true,
		"read-modify-write req/s over HTTP, chi: within 10% of th": false, // 1000 vs 1200
		"same, as CPU per request (chi): at most 1/1.3":            true,  // 100 vs 140
		"same, as CPU per request (chi): at most the floor":        true,  // 100 vs 95
	}
	seen := 0
	for _, tg := range report.Targets(results()) {
		for prefix, met := range want {
			if strings.HasPrefix(tg.Goal, prefix) {
				seen++
				if !tg.Known || tg.Met != met {
					t.Errorf("%s: %s, met=%v known=%v; want met=%v", tg.Goal, tg.Measured, tg.Met, tg.Known, met)
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d targets checked", seen, len(want))
	}
}

func TestPairedTargets(t *testing.T) {
	res := results()
	res.Paired = map[string]report.Paired{"chi": {
		RPSvsPeer: []float64{1.2, 1.4, 1.5}, RPSvsFloor: []float64{0.8, 0.95, 0.97},
		CPUvsPeer: []float64{0.7, 0.8, 0.75}, CPUvsFloor: []float64{1.05, 1.2, 1.3},
	}}
	want := map[string]bool{
		"read-modify-write req/s over HTTP, chi: at least 1.3x":    true,  // median 1.4
		"read-modify-write req/s over HTTP, chi: within 10% of th": true,  // median 0.95
		"same, as CPU per request (chi): at most 1/1.3":            true,  // 0.75
		"same, as CPU per request (chi): at most the floor":        false, // 1.2
	}
	seen := 0
	for _, tg := range report.Targets(res) {
		for prefix, met := range want {
			if strings.HasPrefix(tg.Goal, prefix) {
				seen++
				if tg.Met != met || !strings.Contains(tg.Measured, "median of 3 paired runs") {
					t.Errorf("%s: %s, met=%v; want met=%v", tg.Goal, tg.Measured, tg.Met, met)
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d targets checked", seen, len(want))
	}
}

func TestMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := report.Markdown(&b, results()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# sesskit benchmarks",
		"| chi | **sesskit** | 2 | 2 EVALSHA×2 | 6 | 440 | 1.0 | 0 | 90 | 1000 | 1.00 ms | 2.00 ms | 0.1 |",
		"| chi | scs | 3, 1 | 2 of 50 |",
		"**missed**",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

// TestCostTargets judges the Redis cost goals on per-round ratios to the
// floor of the same framework.
func TestCostTargets(t *testing.T) {
	res := results()
	res.Scenarios = append(res.Scenarios, report.Scenario{Name: "read", Title: "reads"}, report.Scenario{Name: "write", Title: "writes"})
	k := func(sc, lib string) report.Key { return report.Key{Scenario: sc, Framework: "chi", Library: lib} }
	res.Servers = []report.Server{{Name: "plain"}}
	res.Costs = map[string]map[report.Key]report.Cost{"plain": {
		k("read", "sesskit"):    {Cmd: []float64{1.2, 1.4, 2.0}, CPU: []float64{10, 12, 11}, MainCPU: []float64{10, 12, 11}, Exact: true},
		k("read", "floor"):      {Cmd: []float64{1, 1, 1}, CPU: []float64{10, 10, 10}, MainCPU: []float64{10, 10, 10}, Exact: true},
		k("write", "sesskit"):   {Cmd: []float64{4, 4, 4}, CPU: []float64{20, 20, 20}, MainCPU: []float64{20, 20, 20}, Exact: true},
		k("write", "floor"):     {Cmd: []float64{1, 1, 1}, CPU: []float64{10, 10, 10}, MainCPU: []float64{10, 10, 10}, Exact: true},
		k("write50", "sesskit"): {Cmd: []float64{4.4, 4.4, 4.4}, CPU: []float64{20, 20, 20}, MainCPU: []float64{20, 20, 20}, Exact: true},
		k("write50", "floor"):   {Cmd: []float64{1, 1, 1}, CPU: []float64{10, 10, 10}, MainCPU: []float64{10, 10, 10}, Exact: true},
	}}
	want := map[string]bool{
		"Redis command time per request, read: at most 1.5x":       true,  // median 1.4
		"Redis whole-process CPU per request, read: at most 1.3x":  true,  // 1.1
		"Redis command time per request, write: at most 3x":        false, // 4
		"Redis whole-process CPU per request, write: at most 1.3x": false, // 2
		"Redis command time of a one-value write independent":      true,  // 1.1
	}
	seen := 0
	for _, tg := range report.Targets(res) {
		for prefix, met := range want {
			if strings.HasPrefix(tg.Goal, prefix) {
				seen++
				if !tg.Known || tg.Met != met {
					t.Errorf("%s: %s, met=%v known=%v; want met=%v", tg.Goal, tg.Measured, tg.Met, tg.Known, met)
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("found %d of the %d targets checked", seen, len(want))
	}
	var b bytes.Buffer
	if err := report.Markdown(&b, res); err != nil {
		t.Fatal(err)
	}
	if row := "| chi | **sesskit** |  | 1.40 (1.20-2.00) | 1.40x (1.20-2.00) | 11.00 (10.00-12.00) | 1.10x (1.00-1.20) |"; !strings.Contains(b.String(), row) {
		t.Errorf("report lacks %q:\n%s", row, b.String())
	}
}
