package session

import (
	"context"
	"fmt"
	"time"
)

// Manager holds a store and the session rules. It is safe for concurrent
// use; create one per application and share it between requests.
type Manager struct {
	store    Store     // the store behind its guard (breaker, observer)
	users    UserStore // the store's per-user side, guarded too, or nil
	breaker  *breaker
	cfg      config
	decoders [256]Codec // by tag
}

// New returns a Manager over store, or an error naming the first option that
// cannot work.
func New(store Store, opts ...Option) (*Manager, error) {
	if store == nil {
		return nil, invalid("nil store")
	}
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	m := &Manager{cfg: cfg}
	// Real time, not cfg.now: an outage lasts real seconds, whatever clock
	// the sessions' lifetimes follow.
	m.breaker = &breaker{failures: cfg.breakerFailures, cooldown: cfg.breakerCooldown, now: time.Now, changed: m.breakerChanged}
	g := &guard{store: store, breaker: m.breaker, observer: cfg.observer, now: cfg.now}
	m.store = g
	if users, ok := store.(UserStore); ok {
		m.users = guardedUsers{users: users, g: g}
	} else if cfg.limit.Max > 0 || cfg.remember > 0 {
		return nil, invalid("session limits and remember-me need a store with a per-user index (%T is not a UserStore)", store)
	}
	for _, c := range append([]Codec{JSON{}, cfg.codec}, cfg.decoders...) {
		m.decoders[c.Tag()] = c
	}
	return m, nil
}

// Begin starts the session of one request, for adapters. It reads the
// token through c and never touches the store: loading waits until a value
// is read. Adapters call it once per request and Commit the scope before the
// response headers are written.
//
// When ctx already carries a session of m (the middleware is installed
// twice, on a router and again on a mounted sub-router, say), Begin returns
// that session and nested=true: the outer middleware commits it, so the
// inner one only calls the next handler. One request never has two
// sessions fighting over one cookie.
func (m *Manager) Begin(ctx context.Context, c Carrier) (scope RequestScope, nested bool) {
	if s, ok := fromContext(ctx); ok && s.m == m {
		return RequestScope{s}, true
	}
	s := new(Session)
	m.begin(s, ctx, c)
	return RequestScope{s}, false
}

// begin sets up s in place, so a middleware can keep it in its own
// per-request allocation.
func (m *Manager) begin(s *Session, ctx context.Context, c Carrier) {
	s.m, s.ctx, s.carrier = m, ctx, c
	if tok := c.Cookie(m.cfg.cookie.name); tok != "" {
		s.sentToken = true
		if validToken(tok) {
			s.token = tok
		}
	} else if m.cfg.header != "" {
		if tok := c.Header(m.cfg.header); tok != "" {
			s.viaHeader, s.sentToken = true, true
			if validToken(tok) {
				s.token = tok
			}
		}
	}
	if s.sentToken && s.token == "" {
		m.observe(ctx, EventInvalid)
	}
	if m.cfg.remember > 0 {
		s.rememberToken = c.Cookie(m.cfg.rememberCookie.name)
	}
	if s.token == "" {
		s.startFresh()
		return
	}
	s.presented = s.token
}

// Ping reports whether the store can be reached, for health checks.
func (m *Manager) Ping(ctx context.Context) error {
	if err := m.store.Ping(ctx); err != nil {
		return fmt.Errorf("session: ping: %w", err)
	}
	return nil
}

// Breaker returns the state of the circuit breaker in front of the store.
func (m *Manager) Breaker() BreakerState { return m.breaker.State() }

func (m *Manager) breakerChanged(from, to BreakerState) {
	if to == BreakerOpen {
		m.cfg.logger.Error("session: store circuit breaker open: store calls fail fast", "after", from.String())
	} else {
		m.cfg.logger.Warn("session: store circuit breaker "+to.String(), "from", from.String())
	}
	if m.cfg.observer != nil {
		m.cfg.observer.BreakerChanged(from, to)
	}
}

// rules are the Rules stores enforce, as of now.
func (m *Manager) rules() Rules {
	c := &m.cfg
	return Rules{
		Now: c.now(), Idle: c.idle, Absolute: c.absolute, TouchInterval: c.touchInterval,
		MaxIdle: c.maxIdle, MaxAbsolute: c.maxAbsolute,
		MaxSize: c.maxSession, MaxKeys: c.maxKeys, MaxValue: c.maxValue,
	}
}
