package session

import (
	"context"
	"time"
)

// Observer is told what sesskit does, for metrics and traces, without core
// depending on a telemetry library: the modules telemetry/prometheus and
// telemetry/otel implement it. Its methods are called on the request's
// goroutine, so they must be quick and safe for concurrent use.
type Observer interface {
	// StoreCall reports one store call after it returned.
	StoreCall(ctx context.Context, c StoreCall)
	// SessionEvent reports a step in a session's life.
	SessionEvent(ctx context.Context, e Event)
	// Committed reports a commit that wrote to the store: how many values
	// it changed and how many bytes of values it sent.
	Committed(ctx context.Context, changed, bytes int)
	// BreakerChanged reports a transition of the breaker in front of the
	// store.
	BreakerChanged(from, to BreakerState)
}

// StoreCall is one call to the store, as an Observer sees it.
type StoreCall struct {
	Op       string        // "load", "create", "save", "touch", "take", "delete", "incr", "pop", "swap", "ping", "index", ...
	Start    time.Time     // when it began (for spans recorded after the fact)
	Duration time.Duration // how long it took
	Err      error         // nil on success; wraps ErrUnavailable when the store failed
	Bytes    int           // bytes of values sent (writes) or received (loads), when known
}

// Outcome names a store call's result for metrics: "ok", "not_found",
// "renewed", "too_large", "corrupt", "conflict", "unavailable",
// "breaker_open" or "error".
func (c StoreCall) Outcome() string { return outcome(c.Err) }

// Event is a step in a session's life.
type Event string

// The events an Observer is told.
const (
	EventCreated   Event = "created"   // a new session was stored
	EventRenewed   Event = "renewed"   // moved to a new token (Renew)
	EventDestroyed Event = "destroyed" // deleted (Destroy)
	EventExpired   Event = "expired"   // a valid token whose session is gone (expired, revoked, or never known)
	EventInvalid   Event = "invalid"   // a malformed token, refused before the store
	EventCorrupt   Event = "corrupt"   // stored data refused as corrupt
	EventDegraded  Event = "degraded"  // served degraded: the store was unreachable
	EventRestored  Event = "restored"  // logged back in from a remember-me token
	EventStolen    Event = "stolen"    // a rotated remember-me token came back: the user's sessions were revoked
)

// WithObserver sends metrics and trace events to o (see Observer).
func WithObserver(o Observer) Option {
	return optionFunc(func(c *config) { c.observer = o })
}

// observe reports e when an Observer is set.
func (m *Manager) observe(ctx context.Context, e Event) {
	if m.cfg.observer != nil {
		m.cfg.observer.SessionEvent(ctx, e)
	}
}
