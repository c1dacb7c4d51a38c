package sessotel_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
	sessotel "github.com/sesskit/sesskit/telemetry/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// app is a Manager over a FaultStore reporting to a Telemetry whose
// metrics go to an in-memory reader and spans to a recorder, behind the
// net/http middleware; each request runs in a span of its own, as under
// otelhttp.
type app struct {
	t       *testing.T
	reader  *sdkmetric.ManualReader
	spans   *tracetest.SpanRecorder
	tracer  trace.Tracer
	store   *sessiontest.FaultStore
	m       *session.Manager
	handler http.Handler
}

func newApp(t *testing.T, opts ...session.Option) *app {
	t.Helper()
	a := &app{t: t, reader: sdkmetric.NewManualReader(), spans: tracetest.NewSpanRecorder(),
		store: &sessiontest.FaultStore{Store: memstore.New()}}
	tracers := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(a.spans))
	a.tracer = tracers.Tracer("test")
	tel, err := sessotel.New(sessotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(a.reader))),
		sessotel.WithTracerProvider(tracers))
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]session.Option{session.WithObserver(tel), session.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
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

// do sends one request, in a span named "request", with the session token
// ("" for none) and returns the status and the token the response sets.
func (a *app) do(method, token string) (int, string) {
	ctx, span := a.tracer.Start(a.t.Context(), "request")
	defer span.End()
	req := httptest.NewRequestWithContext(ctx, method, "/", nil)
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

// metric returns the metric named, from a collection of the reader.
func (a *app) metric(name string) metricdata.Aggregation {
	a.t.Helper()
	var rm metricdata.ResourceMetrics
	if err := a.reader.Collect(a.t.Context(), &rm); err != nil {
		a.t.Fatal(err)
	}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != sessotel.ScopeName || sm.Scope.Version != sessotel.Version {
			a.t.Errorf("scope %+v", sm.Scope)
		}
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m.Data
			}
		}
	}
	a.t.Fatalf("no metric %s", name)
	return nil
}

// sums returns a counter's or gauge's values by the attribute values of
// the keys given, joined by "/".
func (a *app) sums(name string, keys ...attribute.Key) map[string]int64 {
	a.t.Helper()
	var points []metricdata.DataPoint[int64]
	switch d := a.metric(name).(type) {
	case metricdata.Sum[int64]:
		points = d.DataPoints
	case metricdata.Gauge[int64]:
		points = d.DataPoints
	default:
		a.t.Fatalf("%s is a %T", name, d)
	}
	out := map[string]int64{}
	for _, p := range points {
		out[join(p.Attributes, keys)] += p.Value
	}
	return out
}

// counts returns a histogram's counts by the attribute values of keys.
func (a *app) counts(name string, keys ...attribute.Key) map[string]uint64 {
	a.t.Helper()
	out := map[string]uint64{}
	switch d := a.metric(name).(type) {
	case metricdata.Histogram[float64]:
		for _, p := range d.DataPoints {
			out[join(p.Attributes, keys)] += p.Count
		}
	case metricdata.Histogram[int64]:
		for _, p := range d.DataPoints {
			out[join(p.Attributes, keys)] += p.Count
		}
	default:
		a.t.Fatalf("%s is a %T", name, d)
	}
	return out
}

func join(set attribute.Set, keys []attribute.Key) string {
	s := ""
	for i, k := range keys {
		v, _ := set.Value(k)
		if i > 0 {
			s += "/"
		}
		s += v.String()
	}
	return s
}

func wantMap[V comparable](t *testing.T, what string, got, want map[string]V) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s[%s] = %v, want %v (all: %v)", what, k, got[k], v, got)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s[%s] = %v, not expected (all: %v)", what, k, got[k], got)
		}
	}
}

const (
	dbSystem = attribute.Key("db.system.name")
	dbOp     = attribute.Key("db.operation.name")
	errType  = attribute.Key("error.type")
)

func TestMetrics(t *testing.T) {
	a := newApp(t)
	_, token := a.do(http.MethodPost, "")
	a.do(http.MethodGet, token)
	a.do(http.MethodPost, token)
	a.do(http.MethodDelete, token)
	a.do(http.MethodGet, token)   // gone: expired
	a.do(http.MethodGet, "bogus") // invalid

	wantMap(t, "sesskit.store.calls", a.sums("sesskit.store.calls", dbSystem, dbOp, sessotel.OutcomeKey), map[string]int64{
		"redis/create/ok": 1, "redis/load/ok": 2, "redis/save/ok": 1, "redis/delete/ok": 1,
	})
	wantMap(t, "sesskit.store.call.duration", a.counts("sesskit.store.call.duration", dbOp, errType), map[string]uint64{
		"create/": 1, "load/": 2, "save/": 1, "delete/": 1,
	})
	bytes := a.sums("sesskit.store.value.size", dbOp)
	if bytes["save"] <= 0 || bytes["create"] <= 0 || bytes["load"] <= 0 {
		t.Errorf("sesskit.store.value.size %v, want create, load and save > 0", bytes)
	}
	wantMap(t, "sesskit.session.events", a.sums("sesskit.session.events", sessotel.EventKey), map[string]int64{
		"created": 1, "destroyed": 1, "expired": 1, "invalid": 1,
	})
	wantMap(t, "sesskit.commit.size", a.counts("sesskit.commit.size"), map[string]uint64{"": 2})
	wantMap(t, "sesskit.commit.values", a.counts("sesskit.commit.values"), map[string]uint64{"": 2})
	wantMap(t, "sesskit.breaker.state", a.sums("sesskit.breaker.state", sessotel.BreakerStateKey), map[string]int64{
		"closed": 1, "half-open": 0, "open": 0,
	})
}

// Each store call is a client span under the request's span, with the
// database attributes; session events are events of the request's span.
func TestSpans(t *testing.T) {
	a := newApp(t)
	_, token := a.do(http.MethodPost, "")
	a.do(http.MethodGet, token)
	spans := a.spans.Ended()
	var names []string
	for _, s := range spans {
		names = append(names, s.Name())
	}
	if want := []string{"sesskit.create", "request", "sesskit.load", "request"}; !slices.Equal(names, want) {
		t.Fatalf("spans %q, want %q", names, want)
	}
	create, load, request := spans[0], spans[2], spans[1]
	if create.Parent().SpanID() != request.SpanContext().SpanID() || create.SpanKind() != trace.SpanKindClient {
		t.Errorf("the create span's parent %v, kind %v: want the request's span, client", create.Parent().SpanID(), create.SpanKind())
	}
	attrs := attribute.NewSet(load.Attributes()...)
	for k, want := range map[attribute.Key]string{dbSystem: "redis", dbOp: "load", sessotel.OutcomeKey: "ok"} {
		if v, _ := attrs.Value(k); v.String() != want {
			t.Errorf("load span %s = %q, want %q", k, v.String(), want)
		}
	}
	if v, ok := attrs.Value(sessotel.ValueBytesKey); !ok || v.AsInt64() <= 0 {
		t.Errorf("load span without %s", sessotel.ValueBytesKey)
	}
	if load.StartTime().IsZero() || load.EndTime().Before(load.StartTime()) || load.StartTime().Before(spans[1].EndTime()) {
		t.Errorf("load span times %v - %v", load.StartTime(), load.EndTime())
	}
	if ev := request.Events(); len(ev) != 1 || ev[0].Name != "sesskit.session.created" {
		t.Errorf("request span events %v, want sesskit.session.created", ev)
	}
}

// A failed call's span and latency carry error.type; the breaker's state
// and transitions are metrics; refused calls are traced but not timed.
func TestBreakerAndErrors(t *testing.T) {
	const cooldown = 50 * time.Millisecond
	a := newApp(t, session.WithBreaker(3, cooldown))
	_, token := a.do(http.MethodPost, "")
	a.store.Fail()
	for range 5 {
		if status, _ := a.do(http.MethodGet, token); status != http.StatusServiceUnavailable {
			t.Fatalf("status %d with the store down", status)
		}
	}
	wantMap(t, "sesskit.breaker.state", a.sums("sesskit.breaker.state", sessotel.BreakerStateKey), map[string]int64{
		"closed": 0, "half-open": 0, "open": 1,
	})
	spans := a.spans.Ended()
	last := spans[len(spans)-2] // before its request's span
	attrs := attribute.NewSet(last.Attributes()...)
	if v, _ := attrs.Value(errType); v.String() != "breaker_open" || last.Status().Code != codes.Error {
		t.Errorf("refused load span: error.type %q, status %v", v.String(), last.Status())
	}
	a.store.Heal()
	time.Sleep(cooldown + 10*time.Millisecond)
	if status, _ := a.do(http.MethodGet, token); status != http.StatusOK {
		t.Fatalf("status %d after the store came back", status)
	}
	wantMap(t, "sesskit.breaker.transitions", a.sums("sesskit.breaker.transitions", sessotel.BreakerFromKey, sessotel.BreakerToKey), map[string]int64{
		"closed/open": 1, "open/half-open": 1, "half-open/closed": 1,
	})
	wantMap(t, "sesskit.store.calls", a.sums("sesskit.store.calls", dbOp, sessotel.OutcomeKey), map[string]int64{
		"create/ok": 1, "load/unavailable": 3, "load/breaker_open": 2, "load/ok": 1,
	})
	wantMap(t, "sesskit.store.call.duration", a.counts("sesskit.store.call.duration", dbOp, errType), map[string]uint64{
		"create/": 1, "load/unavailable": 3, "load/": 1,
	})
}

func TestDBSystemAndAttributes(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	tel, err := sessotel.New(sessotel.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))),
		sessotel.WithTracerProvider(noop.NewTracerProvider()), // metrics only
		sessotel.WithDBSystem("memory"), sessotel.WithAttributes(attribute.String("server.address", "127.0.0.1")))
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(memstore.New(), session.WithObserver(tel))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, reader: reader}
	wantMap(t, "sesskit.store.calls", a.sums("sesskit.store.calls", dbSystem, dbOp, "server.address"), map[string]int64{
		"memory/ping/127.0.0.1": 1,
	})
}

// Under a request span that is not sampled, store calls make no span.
func TestUnsampledParent(t *testing.T) {
	a := newApp(t)
	parent := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{1}, SpanID: trace.SpanID{1}})
	if err := a.m.Ping(trace.ContextWithRemoteSpanContext(t.Context(), parent)); err != nil {
		t.Fatal(err)
	}
	if err := a.m.Ping(t.Context()); err != nil { // no parent: the sampler decides
		t.Fatal(err)
	}
	if spans := a.spans.Ended(); len(spans) != 1 || spans[0].Parent().IsValid() {
		t.Errorf("%d spans, want 1, the one without a parent", len(spans))
	}
	wantMap(t, "sesskit.store.calls", a.sums("sesskit.store.calls", dbOp), map[string]int64{"ping": 2})
}
