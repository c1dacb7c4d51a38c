package session

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// BreakerState is the state of the circuit breaker in front of the store.
type BreakerState int

// The breaker's states.
const (
	BreakerClosed   BreakerState = iota // calls go to the store
	BreakerHalfOpen                     // one call at a time probes the store; the rest fail fast
	BreakerOpen                         // every call fails fast, without touching the store
)

func (s BreakerState) String() string {
	switch s {
	case BreakerClosed:
		return "closed"
	case BreakerHalfOpen:
		return "half-open"
	case BreakerOpen:
		return "open"
	}
	return "unknown"
}

// ErrBreakerOpen is what store calls fail with, at once, while the breaker
// is open: the store failed repeatedly and is given time to come back. It
// wraps ErrUnavailable, so requests answer 503 (or degrade) as for any
// store failure.
var ErrBreakerOpen = fmt.Errorf("session: store circuit breaker open: %w", ErrUnavailable)

// Breaker defaults: open after this many consecutive store failures, for
// this long before a probe.
const (
	DefaultBreakerFailures = 5
	DefaultBreakerCooldown = time.Second
)

// WithBreaker sets the circuit breaker in front of the store: after
// failures consecutive store failures (unreachable, timed out) every store
// call fails at once with ErrBreakerOpen, so an outage costs requests no
// waiting; after cooldown one call at a time probes the store (half-open),
// and the first success closes the breaker. Default: 5 failures, 1 s.
// failures 0 turns the breaker off. A sesskit breaker and not a library
// one: core depends on nothing but go-redis, and only store failures
// (ErrUnavailable, not a client that went away) may count.
func WithBreaker(failures int, cooldown time.Duration) Option {
	return optionFunc(func(c *config) { c.breakerFailures, c.breakerCooldown, c.breakerSet = failures, cooldown, true })
}

// breaker is a consecutive-failure circuit breaker. Its zero value is
// closed and never opens.
type breaker struct {
	failures int
	cooldown time.Duration
	now      func() time.Time
	changed  func(from, to BreakerState)

	mu          sync.Mutex
	state       BreakerState
	consecutive int
	openedAt    time.Time
	probing     bool
}

// allow reports whether a call may go to the store, and whether it is the
// probe of a half-open breaker.
func (b *breaker) allow() (probe bool, err error) {
	if b.failures == 0 {
		return false, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch b.state {
	case BreakerOpen:
		if b.now().Sub(b.openedAt) < b.cooldown {
			return false, ErrBreakerOpen
		}
		b.set(BreakerHalfOpen)
		fallthrough
	case BreakerHalfOpen:
		if b.probing {
			return false, ErrBreakerOpen
		}
		b.probing = true
		return true, nil
	}
	return false, nil
}

// done records the outcome of an allowed call.
func (b *breaker) done(probe bool, err error) {
	if b.failures == 0 {
		return
	}
	failed := errors.Is(err, ErrUnavailable) && !errors.Is(err, context.Canceled) && !errors.Is(err, ErrBreakerOpen)
	b.mu.Lock()
	defer b.mu.Unlock()
	if probe {
		b.probing = false
	}
	switch {
	case !failed:
		b.consecutive = 0
		if b.state != BreakerClosed && (probe || b.state == BreakerHalfOpen) {
			b.set(BreakerClosed)
		}
	case probe || b.state == BreakerHalfOpen:
		b.openedAt = b.now()
		b.set(BreakerOpen)
	default:
		b.consecutive++
		if b.consecutive >= b.failures && b.state == BreakerClosed {
			b.openedAt = b.now()
			b.set(BreakerOpen)
		}
	}
}

// set changes the state. The caller holds b.mu.
func (b *breaker) set(to BreakerState) {
	from := b.state
	b.state = to
	if to == BreakerClosed {
		b.consecutive = 0
	}
	if b.changed != nil && from != to {
		b.changed(from, to)
	}
}

// State returns the breaker's state.
func (b *breaker) State() BreakerState {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == BreakerOpen && b.now().Sub(b.openedAt) >= b.cooldown {
		return BreakerHalfOpen // the next call probes
	}
	return b.state
}

// Health is what Manager.Health reports.
type Health struct {
	Store   error        // nil when the store answered a ping
	Breaker BreakerState // the circuit breaker in front of the store
}

// Health pings the store (through the breaker: while it is open the ping
// fails at once) and reports the breaker's state, for health checks.
func (m *Manager) Health(ctx context.Context) Health {
	err := m.Ping(ctx)
	return Health{Store: err, Breaker: m.breaker.State()}
}
