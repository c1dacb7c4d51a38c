package sessotel

import (
	"context"
	"errors"

	"github.com/sesskit/sesskit/core/session"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"
)

// StoreCall implements session.Observer: it counts the call, records its
// latency and bytes, and records a client span for it, child of the span
// in ctx. The span is made after the call returned, with the call's start
// and end times: go-redis's own spans (redisotel), if any, are its
// siblings rather than its children. Calls refused by an open breaker are
// counted and traced (outcome breaker_open) but kept out of the latency
// histogram: they never reached the store. Under a request span that is
// not sampled no span is made, as a ParentBased sampler would decide.
func (t *Telemetry) StoreCall(ctx context.Context, c session.StoreCall) {
	outcome := c.Outcome()
	a := t.callAttrs(c.Op, outcome)
	t.calls.Add(ctx, 1, a.count...)
	refused := errors.Is(c.Err, session.ErrBreakerOpen)
	if !refused {
		t.duration.Record(ctx, c.Duration.Seconds(), a.duration...)
	}
	if c.Bytes > 0 {
		t.bytes.Add(ctx, int64(c.Bytes), a.bytes...)
	}
	if t.tracer == nil {
		return
	}
	// Under a request span that is not sampled the call's span would not
	// be either (ParentBased samplers, the default): skip its cost.
	if parent := trace.SpanContextFromContext(ctx); parent.IsValid() && !parent.IsSampled() {
		return
	}
	// a.span is shared: its cap equals its len, so this append copies.
	_, span := t.tracer.Start(ctx, a.spanName, append(a.span, trace.WithTimestamp(c.Start))...)
	if span.IsRecording() {
		if c.Bytes > 0 {
			span.SetAttributes(ValueBytesKey.Int(c.Bytes))
		}
		if c.Err != nil {
			span.SetStatus(codes.Error, c.Err.Error())
		}
	}
	span.End(trace.WithTimestamp(c.Start.Add(c.Duration)))
}

// SessionEvent implements session.Observer: it counts the event and adds
// it to the span in ctx (the request's, when the app traces requests) as
// an event named sesskit.session.<event>.
func (t *Telemetry) SessionEvent(ctx context.Context, e session.Event) {
	t.events.Add(ctx, 1, t.eventOptions(e)...)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.AddEvent("sesskit.session." + string(e))
	}
}

func (t *Telemetry) eventOptions(e session.Event) []metric.AddOption {
	if o, ok := t.eventAttrs.Load(e); ok {
		return o.([]metric.AddOption)
	}
	o, _ := t.eventAttrs.LoadOrStore(e, []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(EventKey.String(string(e))))})
	return o.([]metric.AddOption)
}

// Committed implements session.Observer.
func (t *Telemetry) Committed(ctx context.Context, changed, bytes int) {
	t.commitVals.Record(ctx, int64(changed))
	t.commitBytes.Record(ctx, int64(bytes))
}

// BreakerChanged implements session.Observer.
func (t *Telemetry) BreakerChanged(from, to session.BreakerState) {
	t.breaker.Store(int32(to))
	t.transitions.Add(context.Background(), 1, metric.WithAttributes(
		BreakerFromKey.String(from.String()), BreakerToKey.String(to.String())))
}
