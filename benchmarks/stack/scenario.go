package stack

import (
	"fmt"
	"strings"
)

// Routes every stack serves.
const (
	PathCreate = "/create" // POST: new session with user, visits and theme (?n=N adds N values k00…)
	PathRead   = "/read"   // GET: answers the value "user"
	PathIncr   = "/incr"   // POST: visits+1, answers the new count
	PathWrite  = "/write"  // PUT: sets one value, "k07", without reading the session
	PathNoop   = "/noop"   // GET: never touches the session
	PathSet    = "/set"    // PUT ?key=K: sets K to "x"
	PathCount  = "/count"  // GET ?prefix=P: answers how many keys start with P
)

// BigValues is the number of extra values of the large session: with the
// three small ones, about 4 KB of keys and values.
const BigValues = 50

// A Scenario is one kind of request, measured on every stack.
type Scenario struct {
	Name   string // short name used in benchmark names and the report
	Title  string // what the request does, for the report
	Method string
	Path   string
	// Seed is the session the request presents: -1 none (a new visitor),
	// otherwise a session made by POST /create?n=Seed.
	Seed int
	// Body is what a correct answer carries; "" when any body will do.
	Body string
}

// Scenarios are the requests every stack is measured on, in report order.
var Scenarios = []Scenario{
	{Name: "create", Title: "new visitor, sets 3 values", Method: "POST", Path: PathCreate, Seed: -1, Body: "ok"},
	{Name: "read", Title: "reads 1 value", Method: "GET", Path: PathRead, Seed: 0, Body: "alice"},
	{Name: "write", Title: "sets 1 value of a 3-value session, without reading it", Method: "PUT", Path: PathWrite, Seed: 0, Body: "ok"},
	{Name: "rmw", Title: "read-modify-write a counter", Method: "POST", Path: PathIncr, Seed: 0},
	{Name: "write50", Title: "sets 1 value of a 53-value (~4 KB) session, without reading it", Method: "PUT", Path: PathWrite, Seed: BigValues, Body: "ok"},
	{Name: "untouched", Title: "presents a session, never touches it", Method: "GET", Path: PathNoop, Seed: 0, Body: "ok"},
}

// ScenarioByName returns the scenario called name.
func ScenarioByName(name string) (Scenario, bool) {
	for _, sc := range Scenarios {
		if sc.Name == name {
			return sc, true
		}
	}
	return Scenario{}, false
}

// Concurrent is the number of requests of the lost-updates check: each sets
// its own key of one session at the same time.
const Concurrent = 50

// ConcurrentKey is the key request i of the lost-updates check sets.
func ConcurrentKey(prefix string, i int) string { return fmt.Sprintf("%s%02d", prefix, i) }

// Values every stack stores, so that each library encodes the same data.
const (
	userValue  = "alice"
	themeValue = "dark"
	writeKey   = "k07"
	setValue   = "x"
)

// The large session's keys and values: k00…k49, 80-byte strings.
var (
	bigKeys    = bigList(func(i int) string { return fmt.Sprintf("k%02d", i) })
	bigValues  = bigList(func(i int) string { return pad(fmt.Sprintf("value-%02d-", i), 80) })
	writeValue = pad("rewritten-k07-", 80)
)

func bigList(f func(int) string) (l [BigValues]string) {
	for i := range l {
		l[i] = f(i)
	}
	return l
}

// pad fills s up to n bytes, so every large value has the same size.
func pad(s string, n int) string {
	return s + strings.Repeat("v", n-len(s))
}
