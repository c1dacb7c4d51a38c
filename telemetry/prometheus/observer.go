package sessprom

import (
	"context"
	"errors"

	"github.com/sesskit/sesskit/core/session"
)

// StoreCall implements session.Observer: it counts the call by operation
// and outcome, and records its latency and bytes. Calls refused by an open
// breaker are counted (outcome breaker_open) but kept out of the latency
// histogram: they never reached the store.
func (m *Metrics) StoreCall(_ context.Context, c session.StoreCall) {
	op := m.op(c.Op)
	if c.Err == nil {
		op.ok.Inc()
	} else {
		m.calls.WithLabelValues(c.Op, c.Outcome()).Inc()
		if errors.Is(c.Err, session.ErrBreakerOpen) {
			return
		}
	}
	op.duration.Observe(c.Duration.Seconds())
	if c.Bytes > 0 {
		op.bytes.Add(float64(c.Bytes))
	}
}

// op returns the children of one operation, creating them on first use.
func (m *Metrics) op(name string) *opMetrics {
	if o, ok := m.ops.Load(name); ok {
		return o.(*opMetrics)
	}
	o, _ := m.ops.LoadOrStore(name, &opMetrics{
		ok:       m.calls.WithLabelValues(name, "ok"),
		duration: m.duration.WithLabelValues(name),
		bytes:    m.bytes.WithLabelValues(name),
	})
	return o.(*opMetrics)
}

// SessionEvent implements session.Observer.
func (m *Metrics) SessionEvent(_ context.Context, e session.Event) {
	m.events.WithLabelValues(string(e)).Inc()
}

// Committed implements session.Observer.
func (m *Metrics) Committed(_ context.Context, changed, bytes int) {
	m.commitVals.Observe(float64(changed))
	m.commitBytes.Observe(float64(bytes))
}

// BreakerChanged implements session.Observer.
func (m *Metrics) BreakerChanged(from, to session.BreakerState) {
	m.breaker.WithLabelValues(from.String()).Set(0)
	m.breaker.WithLabelValues(to.String()).Set(1)
	m.transitions.WithLabelValues(from.String(), to.String()).Inc()
}
