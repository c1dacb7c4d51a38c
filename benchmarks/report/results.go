package report

import (
	"slices"
	"time"
)

// Key names one measured case.
type Key struct {
	Scenario, Framework, Library string
}

// Stack is "framework/library".
func (k Key) Stack() string { return k.Framework + "/" + k.Library }

// Wire is what one request sent Redis, averaged over the counted requests.
type Wire struct {
	RoundTrips     float64 // from the counting proxy
	Commands       float64 // top-level commands, from the proxy
	Names          string  // e.g. "EVALSHA" or "GET+SET"
	ServerCommands float64 // INFO commandstats calls, commands run by scripts included; -1 if unknown
	BytesToRedis   float64 // INFO total_net_input_bytes (private server) or proxy bytes
}

// Bench is the medians of one `go test -bench` case.
type Bench struct {
	NsOp, BytesOp, AllocsOp float64
	Runs                    int
}

// HTTP is the medians of one case's load runs.
type HTTP struct {
	RPS      float64
	P50, P99 time.Duration
	// CPU is the bench process's CPU time per request (servers, libraries,
	// clients and load generator; Redis excluded), which other work on the
	// machine disturbs much less than RPS.
	CPU    time.Duration
	Errors int // summed over runs
	Runs   int
	Err    string // the first error seen, if any
}

// Paired holds, for one framework, the ratios of the paired rmw
// repetitions: sesskit's figure over the peer's and over the floor's.
type Paired struct {
	RPSvsPeer, RPSvsFloor []float64
	CPUvsPeer, CPUvsFloor []float64 // CPU per request
}

// Machine describes where the numbers come from.
type Machine struct {
	CPU        string
	Cores      int
	GOMAXPROCS int
	OS         string
	Go         string
	Redis      string
	LoadBefore string // /proc/loadavg when the run began
	LoadAfter  string
}

// Settings are the knobs of the run.
type Settings struct {
	Command       string
	BenchCount    int
	BenchTime     string
	Rounds        int
	Duration      time.Duration
	Warmup        time.Duration
	Concurrency   int
	Trials        int
	CountRequests int
	PairedReps    int
	PairedSlice   time.Duration
	Private       bool // INFO counters are ours alone
}

// Scenario is one scenario as the report lists it.
type Scenario struct {
	Name, Title string
	HTTP        bool // measured over HTTP too
}

// Results is everything one run measured.
type Results struct {
	Scenarios []Scenario
	Stacks    []Key // Framework and Library only, in report order
	Started   time.Time
	Elapsed   time.Duration
	Machine   Machine
	Settings  Settings
	Versions  [][2]string // module, version
	Wire      map[Key]Wire
	Bench     map[Key]Bench
	HTTP      map[Key]HTTP
	Lost      map[string][]int  // stack -> survivors per trial
	Paired    map[string]Paired // framework -> paired rmw ratios
	Notes     string            // hand-written analysis appended verbatim
}

// Median returns the median of xs (the mean of the middle two for an even
// count), 0 for none.
func Median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
