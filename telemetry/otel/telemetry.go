package sessotel

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sesskit/sesskit/core/session"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// ScopeName is the instrumentation scope of the meter and the tracer.
const ScopeName = "github.com/sesskit/sesskit/telemetry/otel"

// Attribute keys of sesskit's own, beside semconv's db.system.name,
// db.operation.name and error.type.
const (
	OutcomeKey      = attribute.Key("sesskit.store.outcome")    // session.StoreCall.Outcome
	EventKey        = attribute.Key("sesskit.session.event")    // session.Event
	BreakerStateKey = attribute.Key("sesskit.breaker.state")    // closed, half-open, open
	BreakerFromKey  = attribute.Key("sesskit.breaker.from")     // a transition's old state
	BreakerToKey    = attribute.Key("sesskit.breaker.to")       // a transition's new state
	ValueBytesKey   = attribute.Key("sesskit.store.value.size") // on spans: bytes of values moved
)

// Telemetry is a session.Observer that records a Manager's store calls as
// OpenTelemetry metrics and spans. Give one to one Manager.
type Telemetry struct {
	tracer   trace.Tracer // nil: no spans
	dbSystem string
	attrs    []attribute.KeyValue

	calls       metric.Int64Counter
	duration    metric.Float64Histogram
	bytes       metric.Int64Counter
	events      metric.Int64Counter
	commitVals  metric.Int64Histogram
	commitBytes metric.Int64Histogram
	transitions metric.Int64Counter
	breaker     atomic.Int32 // the session.BreakerState, for the observable gauge

	kinds      sync.Map // callKey -> *callAttrs
	eventAttrs sync.Map // session.Event -> []metric.AddOption
}

var _ session.Observer = (*Telemetry)(nil)

// New creates the instruments on the meter provider (WithMeterProvider, or
// the global one) and returns the Observer to hand to the Manager with
// session.WithObserver.
func New(opts ...Option) (*Telemetry, error) {
	c := newConfig(opts)
	meter := c.meters.Meter(ScopeName, metric.WithInstrumentationVersion(Version))
	t := &Telemetry{dbSystem: c.dbSystem, attrs: c.attrs}
	if _, off := c.tracers.(noop.TracerProvider); !off {
		t.tracer = c.tracers.Tracer(ScopeName, trace.WithInstrumentationVersion(Version))
	}
	var errs [8]error
	t.calls, errs[0] = meter.Int64Counter("sesskit.store.calls", metric.WithUnit("{call}"),
		metric.WithDescription("Store calls by operation and outcome (ok, not_found, unavailable, breaker_open, ...)."))
	t.duration, errs[1] = meter.Float64Histogram("sesskit.store.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Latency of store calls that reached the store (not those refused by an open breaker)."),
		metric.WithExplicitBucketBoundaries(.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5))
	t.bytes, errs[2] = meter.Int64Counter("sesskit.store.value.size", metric.WithUnit("By"),
		metric.WithDescription("Bytes of session values sent (create, save, swap) or received (load, take, pop) by successful store calls."))
	t.events, errs[3] = meter.Int64Counter("sesskit.session.events", metric.WithUnit("{event}"),
		metric.WithDescription("Steps in sessions' lives: created, renewed, destroyed, expired, invalid, corrupt, degraded, restored, stolen."))
	t.commitVals, errs[4] = meter.Int64Histogram("sesskit.commit.values", metric.WithUnit("{value}"),
		metric.WithDescription("Values changed by each commit that wrote to the store."),
		metric.WithExplicitBucketBoundaries(1, 2, 4, 8, 16, 32, 64, 128))
	t.commitBytes, errs[5] = meter.Int64Histogram("sesskit.commit.size", metric.WithUnit("By"),
		metric.WithDescription("Bytes of values sent by each commit that wrote to the store."),
		metric.WithExplicitBucketBoundaries(64, 256, 1024, 4096, 16384, 65536, 262144, 1048576))
	t.transitions, errs[6] = meter.Int64Counter("sesskit.breaker.transitions", metric.WithUnit("{transition}"),
		metric.WithDescription("Transitions of the store's circuit breaker."))
	_, errs[7] = meter.Int64ObservableGauge("sesskit.breaker.state", metric.WithUnit("{state}"),
		metric.WithDescription("1 for the state the store's circuit breaker is in (closed, half-open, open), 0 for the others."),
		metric.WithInt64Callback(t.observeBreaker))
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("sessotel: %w", err)
		}
	}
	return t, nil
}

// breakerStates are the states the gauge reports, with their attributes.
var breakerStates = func() map[session.BreakerState]metric.ObserveOption {
	m := map[session.BreakerState]metric.ObserveOption{}
	for _, s := range []session.BreakerState{session.BreakerClosed, session.BreakerHalfOpen, session.BreakerOpen} {
		m[s] = metric.WithAttributeSet(attribute.NewSet(BreakerStateKey.String(s.String())))
	}
	return m
}()

func (t *Telemetry) observeBreaker(_ context.Context, o metric.Int64Observer) error {
	now := session.BreakerState(t.breaker.Load())
	for s, attrs := range breakerStates {
		v := int64(0)
		if s == now {
			v = 1
		}
		o.Observe(v, attrs)
	}
	return nil
}

// callKey names one kind of store call: its operation and outcome.
type callKey struct{ op, outcome string }

// callAttrs are a kind of call's attributes, made once: building them per
// call would allocate on every request.
type callAttrs struct {
	count    []metric.AddOption    // db.system.name, db.operation.name, outcome
	duration []metric.RecordOption // db.system.name, db.operation.name, error.type on failure
	bytes    []metric.AddOption    // db.system.name, db.operation.name
	span     []trace.SpanStartOption
	spanName string
}

func (t *Telemetry) callAttrs(op, outcome string) *callAttrs {
	k := callKey{op, outcome}
	if a, ok := t.kinds.Load(k); ok {
		return a.(*callAttrs)
	}
	base := append([]attribute.KeyValue{
		semconv.DBSystemNameKey.String(t.dbSystem),
		semconv.DBOperationName(op),
	}, t.attrs...)
	withOutcome := append(append([]attribute.KeyValue{}, base...), OutcomeKey.String(outcome))
	timed := base
	if outcome != "ok" {
		timed = append(append([]attribute.KeyValue{}, base...), semconv.ErrorTypeKey.String(outcome))
	}
	a := &callAttrs{
		count:    []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(withOutcome...))},
		duration: []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(timed...))},
		bytes:    []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(base...))},
		spanName: "sesskit." + op,
	}
	spanAttrs := withOutcome
	if outcome != "ok" {
		spanAttrs = append(spanAttrs, semconv.ErrorTypeKey.String(outcome))
	}
	a.span = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(spanAttrs...)}
	v, _ := t.kinds.LoadOrStore(k, a)
	return v.(*callAttrs)
}
