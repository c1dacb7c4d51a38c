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
	// TopLevel is how many times per request each command (upper-case) was
	// sent outside MULTI...EXEC: the commands whose INFO commandstats time
	// is not already inside another's.
	TopLevel map[string]float64
}

// Cost is what one request of a case cost Redis, from the server's own
// counters on a private redis-server: one sample per round.
type Cost struct {
	Cmd     []float64 // µs of command execution time (INFO commandstats usec, each command once)
	CPU     []float64 // µs of whole-process CPU (INFO cpu used_cpu_user + used_cpu_sys)
	MainCPU []float64 // µs of the main thread's CPU (used_cpu_*_main_thread)
	// Exact is false when a command name also ran nested (inside a script
	// or a transaction) and its time had to be split by calls.
	Exact bool
	// Threaded is the share of client reads and writes done by I/O threads.
	Threaded float64
	// Commands is what the server ran per request, nested commands included,
	// by lower-case name: "evalsha 1, hmget 2, hset 1".
	Commands string
}

// A Server is one redis-server configuration the costs were measured on.
type Server struct {
	Name   string // "plain", "io-threads"
	Config string // its command-line options beyond the defaults
}

// Memory is what sessions of one shape take in Redis.
type Memory struct {
	Library    string  // sesskit or floor
	Values     int     // values per session, metadata not counted
	ValueBytes int     // bytes of each stored value (as the codec writes it)
	Config     string  // server settings changed for this row, "" for the defaults
	Encoding   string  // OBJECT ENCODING of the hash
	Usage      int64   // MEMORY USAGE key SAMPLES 0 of one session
	PerSession float64 // INFO used_memory growth per session over Count sessions
	Count      int
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
	CostRounds    int  // rounds of the Redis cost measurement
	CostRequests  int  // requests per case and round
	CostWorkers   int  // in-process clients sending them at once
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
	Servers   []Server          // in report order; Costs has one map per Name
	Costs     map[string]map[Key]Cost
	Memory    []Memory
	Notes     string // hand-written analysis appended verbatim
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
