package sessprom

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/sesskit/sesskit/core/session"
)

// Metrics is sesskit's metric set: a session.Observer that counts what a
// Manager does, and a prometheus.Collector that exports it. Give one
// Metrics to one Manager (WithConstLabels tells several apart).
type Metrics struct {
	calls       *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	bytes       *prometheus.CounterVec
	events      *prometheus.CounterVec
	commitVals  prometheus.Histogram
	commitBytes prometheus.Histogram
	breaker     *prometheus.GaugeVec
	transitions *prometheus.CounterVec

	ops sync.Map // operation name -> *opMetrics, the hot path's children

	handlerOnce sync.Once
	handler     http.Handler
}

// opMetrics are one operation's children, looked up once: the label hashing
// of WithLabelValues would otherwise run three times per store call.
type opMetrics struct {
	ok       prometheus.Counter
	duration prometheus.Observer
	bytes    prometheus.Counter
}

var (
	_ session.Observer     = (*Metrics)(nil)
	_ prometheus.Collector = (*Metrics)(nil)
)

// New returns the metric set, registered nowhere: register it
// (prometheus.MustRegister(m)) or serve it with Handler, and hand it to the
// Manager with session.WithObserver.
func New(opts ...Option) *Metrics {
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	if c.buckets == nil {
		c.buckets = DefaultDurationBuckets
	}
	l := c.labels
	m := &Metrics{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sesskit_store_calls_total", ConstLabels: l,
			Help: "Store calls by operation and outcome (ok, not_found, unavailable, breaker_open, ...).",
		}, []string{"operation", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "sesskit_store_call_duration_seconds", ConstLabels: l, Buckets: c.buckets,
			Help: "Latency of store calls that reached the store (not those refused by an open breaker).",
		}, []string{"operation"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sesskit_store_value_bytes_total", ConstLabels: l,
			Help: "Bytes of session values sent (create, save, swap) or received (load, take, pop) by successful store calls.",
		}, []string{"operation"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sesskit_session_events_total", ConstLabels: l,
			Help: "Steps in sessions' lives: created, renewed, destroyed, expired, invalid, corrupt, degraded, restored, stolen.",
		}, []string{"event"}),
		commitVals: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "sesskit_commit_values", ConstLabels: l, Buckets: prometheus.ExponentialBuckets(1, 2, 8),
			Help: "Values changed by each commit that wrote to the store.",
		}),
		commitBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "sesskit_commit_bytes", ConstLabels: l, Buckets: prometheus.ExponentialBuckets(64, 4, 8),
			Help: "Bytes of values sent by each commit that wrote to the store.",
		}),
		breaker: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sesskit_breaker_state", ConstLabels: l,
			Help: "1 for the state the store's circuit breaker is in (closed, half-open, open), 0 for the others.",
		}, []string{"state"}),
		transitions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sesskit_breaker_transitions_total", ConstLabels: l,
			Help: "Transitions of the store's circuit breaker.",
		}, []string{"from", "to"}),
	}
	// Series that exist from the start, so that rate() and alerts see a 0
	// before the first increase.
	for _, e := range events {
		m.events.WithLabelValues(string(e))
	}
	for _, s := range []session.BreakerState{session.BreakerClosed, session.BreakerHalfOpen, session.BreakerOpen} {
		m.breaker.WithLabelValues(s.String())
	}
	m.breaker.WithLabelValues(session.BreakerClosed.String()).Set(1)
	return m
}

// events are the session events reported from the start.
var events = []session.Event{
	session.EventCreated, session.EventRenewed, session.EventDestroyed, session.EventExpired,
	session.EventInvalid, session.EventCorrupt, session.EventDegraded, session.EventRestored, session.EventStolen,
}

func (m *Metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.calls, m.duration, m.bytes, m.events, m.commitVals, m.commitBytes, m.breaker, m.transitions}
}

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.collectors() {
		c.Collect(ch)
	}
}

// Handler serves these metrics, with the Go runtime's and the process's,
// in the Prometheus text format, from a registry of its own: mount it on
// /metrics. An app with a registry of its own registers m there instead.
func (m *Metrics) Handler() http.Handler {
	m.handlerOnce.Do(func() {
		reg := prometheus.NewRegistry()
		reg.MustRegister(m, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	})
	return m.handler
}
