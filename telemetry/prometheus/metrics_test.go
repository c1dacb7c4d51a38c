package sessprom_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
	sessprom "github.com/sesskit/sesskit/telemetry/prometheus"
)

// app is a Manager over a FaultStore reporting to a Metrics, behind the
// net/http middleware.
type app struct {
	t       *testing.T
	metrics *sessprom.Metrics
	reg     *prometheus.Registry
	store   *sessiontest.FaultStore
	m       *session.Manager
	handler http.Handler
}

func newApp(t *testing.T, opts ...session.Option) *app {
	t.Helper()
	a := &app{t: t, metrics: sessprom.New(), reg: prometheus.NewRegistry(), store: &sessiontest.FaultStore{Store: memstore.New()}}
	a.reg.MustRegister(a.metrics)
	opts = append([]session.Option{session.WithObserver(a.metrics), session.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	var err error
	if a.m, err = session.New(a.store, opts...); err != nil {
		t.Fatal(err)
	}
	// GET reads "a", POST sets it, DELETE destroys the session.
	a.handler = sesshttp.Middleware(a.m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		switch r.Method {
		case http.MethodPost:
			_ = s.Set("a", "some value")
		case http.MethodDelete:
			_ = s.Destroy(r.Context())
		default:
			_, _ = session.Get[string](s, "a")
		}
	}))
	return a
}

// do sends one request with the session token ("" for none) and returns
// the status and the token the response sets, if any.
func (a *app) do(method, token string) (int, string) {
	req := httptest.NewRequestWithContext(a.t.Context(), method, "/", nil)
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: token})
	}
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.Name == "session" {
			return rec.Code, c.Value
		}
	}
	return rec.Code, ""
}

// value returns the value of the counter or gauge name whose labels
// include the pairs given (label, value, ...), or -1 when there is none.
func (a *app) value(name string, pairs ...string) float64 {
	a.t.Helper()
	families, err := a.reg.Gather()
	if err != nil {
		a.t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			have := map[string]string{}
			for _, l := range m.GetLabel() {
				have[l.GetName()] = l.GetValue()
			}
			for i := 0; i+1 < len(pairs); i += 2 {
				if have[pairs[i]] != pairs[i+1] {
					continue metrics
				}
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	return -1
}

// scrape returns the registry's families as text, for the metrics named,
// with runs of spaces made one: the protobuf text format puts random extra
// spaces in, on purpose, so that nobody matches it exactly.
func (a *app) scrape(names ...string) string {
	a.t.Helper()
	families, err := a.reg.Gather()
	if err != nil {
		a.t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range families {
		for _, n := range names {
			if f.GetName() == n {
				b.WriteString(strings.Join(strings.Fields(f.String()), " "))
				b.WriteByte('\n')
			}
		}
	}
	return b.String()
}

func TestStoreCallsEventsAndCommits(t *testing.T) {
	a := newApp(t)
	_, token := a.do(http.MethodPost, "")
	if token == "" {
		t.Fatal("no session created")
	}
	a.do(http.MethodGet, token)
	a.do(http.MethodPost, token)
	a.do(http.MethodDelete, token)
	a.do(http.MethodGet, token)   // gone: expired
	a.do(http.MethodGet, "bogus") // invalid

	want := `
# HELP sesskit_store_calls_total Store calls by operation and outcome (ok, not_found, unavailable, breaker_open, ...).
# TYPE sesskit_store_calls_total counter
sesskit_store_calls_total{operation="create",outcome="ok"} 1
sesskit_store_calls_total{operation="delete",outcome="ok"} 1
sesskit_store_calls_total{operation="load",outcome="ok"} 2
sesskit_store_calls_total{operation="save",outcome="ok"} 1
`
	if err := testutil.GatherAndCompare(a.reg, strings.NewReader(want), "sesskit_store_calls_total"); err != nil {
		t.Error(err)
	}
	events := map[session.Event]float64{
		session.EventCreated: 1, session.EventDestroyed: 1, session.EventExpired: 1, session.EventInvalid: 1,
		session.EventRenewed: 0, session.EventCorrupt: 0, session.EventDegraded: 0,
	}
	for e, n := range events {
		if got := a.value("sesskit_session_events_total", "event", string(e)); got != n {
			t.Errorf("sesskit_session_events_total{event=%q} = %v, want %v", e, got, n)
		}
	}
	if n := testutil.CollectAndCount(a.metrics, "sesskit_store_call_duration_seconds"); n != 4 {
		t.Errorf("%d latency histograms, want 4 (create, load, save, delete)", n)
	}
	text := a.scrape("sesskit_store_call_duration_seconds", "sesskit_commit_bytes", "sesskit_store_value_bytes_total")
	for _, want := range []string{
		`label:{name:"operation" value:"load"} histogram:{sample_count:2 `,
		`histogram:{sample_count:2 sample_sum:`, // two commits wrote: the create and the save
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	if got := a.value("sesskit_store_value_bytes_total", "operation", "save"); got <= 0 {
		t.Errorf("save bytes %v, want > 0", got)
	}
}

// The breaker's state and transitions, and the store failures behind
// them, as Prometheus sees them.
func TestBreakerMetrics(t *testing.T) {
	const cooldown = 50 * time.Millisecond
	a := newApp(t, session.WithBreaker(3, cooldown))
	_, token := a.do(http.MethodPost, "")
	want := func(state string) {
		t.Helper()
		for _, s := range []string{"closed", "half-open", "open"} {
			v := 0.0
			if s == state {
				v = 1
			}
			if got := a.value("sesskit_breaker_state", "state", s); got != v {
				t.Errorf("sesskit_breaker_state{state=%q} = %v, want %v", s, got, v)
			}
		}
	}
	want("closed")
	a.store.Fail()
	for range 5 {
		if status, _ := a.do(http.MethodGet, token); status != http.StatusServiceUnavailable {
			t.Fatalf("status %d with the store down", status)
		}
	}
	want("open")
	a.store.Heal()
	time.Sleep(cooldown + 10*time.Millisecond)
	if status, _ := a.do(http.MethodGet, token); status != http.StatusOK {
		t.Fatalf("status %d after the store came back", status)
	}
	want("closed")
	expect := `
# HELP sesskit_breaker_transitions_total Transitions of the store's circuit breaker.
# TYPE sesskit_breaker_transitions_total counter
sesskit_breaker_transitions_total{from="closed",to="open"} 1
sesskit_breaker_transitions_total{from="half-open",to="closed"} 1
sesskit_breaker_transitions_total{from="open",to="half-open"} 1
# HELP sesskit_store_calls_total Store calls by operation and outcome (ok, not_found, unavailable, breaker_open, ...).
# TYPE sesskit_store_calls_total counter
sesskit_store_calls_total{operation="create",outcome="ok"} 1
sesskit_store_calls_total{operation="load",outcome="breaker_open"} 2
sesskit_store_calls_total{operation="load",outcome="ok"} 1
sesskit_store_calls_total{operation="load",outcome="unavailable"} 3
`
	if err := testutil.GatherAndCompare(a.reg, strings.NewReader(expect), "sesskit_breaker_transitions_total", "sesskit_store_calls_total"); err != nil {
		t.Error(err)
	}
	// The two refused calls never reached the store: not in the latency.
	if text := a.scrape("sesskit_store_call_duration_seconds"); !strings.Contains(text, "sample_count:4 ") {
		t.Errorf("latency of the 4 calls that reached the store, got\n%s", text)
	}
}

// Series that alerts and rate() read exist at 0 from the start.
func TestSeriesFromTheStart(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(sessprom.New(sessprom.WithConstLabels(prometheus.Labels{"manager": "main"})))
	want := `
# HELP sesskit_breaker_state 1 for the state the store's circuit breaker is in (closed, half-open, open), 0 for the others.
# TYPE sesskit_breaker_state gauge
sesskit_breaker_state{manager="main",state="closed"} 1
sesskit_breaker_state{manager="main",state="half-open"} 0
sesskit_breaker_state{manager="main",state="open"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "sesskit_breaker_state"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg, "sesskit_session_events_total"); err != nil || n != 9 {
		t.Errorf("%d event series (%v), want 9", n, err)
	}
	if problems, err := testutil.GatherAndLint(reg); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestHandler(t *testing.T) {
	a := newApp(t)
	a.do(http.MethodPost, "")
	srv := httptest.NewServer(a.metrics.Handler())
	defer srv.Close()
	res, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		`sesskit_store_calls_total{operation="create",outcome="ok"} 1`,
		`sesskit_breaker_state{state="closed"} 1`,
		"go_goroutines ",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("no %q in /metrics", want)
		}
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
}
