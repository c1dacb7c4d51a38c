package session_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	mu       sync.Mutex
	calls    []session.StoreCall
	events   []session.Event
	commits  [][2]int
	breakers [][2]session.BreakerState
}

func (r *recorder) StoreCall(_ context.Context, c session.StoreCall) {
	r.mu.Lock()
	r.calls = append(r.calls, c)
	r.mu.Unlock()
}

func (r *recorder) SessionEvent(_ context.Context, e session.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) Committed(_ context.Context, changed, bytes int) {
	r.mu.Lock()
	r.commits = append(r.commits, [2]int{changed, bytes})
	r.mu.Unlock()
}

func (r *recorder) BreakerChanged(from, to session.BreakerState) {
	r.mu.Lock()
	r.breakers = append(r.breakers, [2]session.BreakerState{from, to})
	r.mu.Unlock()
}

func (r *recorder) ops() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.calls {
		out = append(out, c.Op+":"+c.Outcome())
	}
	return out
}

func TestObserverSeesStoreCallsAndEvents(t *testing.T) {
	rec := &recorder{}
	h := newHarness(t, session.WithObserver(rec))
	token := h.newSession(map[string]any{"a": 1})
	h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		_, _ = session.Get[int](s, "a")
		must(t, s.Set("b", "xy"))
	})
	h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) { must(t, s.Destroy(r.Context())) })
	h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) { _, _ = session.Get[int](s, "a") })
	h.do("garbage", func(_ http.ResponseWriter, r *http.Request, s *session.Session) {})
	want := []string{"create:ok", "load:ok", "save:ok", "delete:ok", "load:ok"}
	if got := rec.ops(); !slices.Equal(got, want) {
		t.Errorf("store calls %q, want %q", got, want)
	}
	wantEvents := []session.Event{session.EventCreated, session.EventDestroyed, session.EventExpired, session.EventInvalid}
	if !slices.Equal(rec.events, wantEvents) {
		t.Errorf("events %q, want %q", rec.events, wantEvents)
	}
	if len(rec.commits) != 2 || rec.commits[1] != [2]int{1, len("b") + len(`j"xy"`)} {
		t.Errorf("commits %v, want the create and one value of 6 bytes", rec.commits)
	}
	for _, c := range rec.calls {
		if c.Start.IsZero() || c.Duration < 0 {
			t.Errorf("call %+v without its times", c)
		}
	}
}

// The breaker opens after 5 consecutive store failures: calls fail at once
// without reaching the store; after the cooldown one call probes, and a
// success closes it.
func TestBreaker(t *testing.T) {
	rec := &recorder{}
	const cooldown = 50 * time.Millisecond
	h := newHarness(t, session.WithObserver(rec), session.WithBreaker(5, cooldown))
	token := h.newSession(map[string]any{"a": 1})
	read := func() int {
		return h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) { _, _ = session.Get[int](s, "a") }).StatusCode
	}
	h.store.Fail()
	for i := range 5 {
		if status := read(); status != http.StatusServiceUnavailable {
			t.Fatalf("read %d with the store down: %d", i, status)
		}
	}
	if st := h.m.Breaker(); st != session.BreakerOpen {
		t.Fatalf("breaker %v after 5 failures, want open", st)
	}
	before := h.store.Calls()
	for range 20 {
		if status := read(); status != http.StatusServiceUnavailable {
			t.Fatalf("read with the breaker open: %d", status)
		}
	}
	if n := h.store.Calls() - before; n != 0 {
		t.Fatalf("%d store calls with the breaker open, want none", n)
	}
	h.store.Heal()
	time.Sleep(cooldown + 10*time.Millisecond) // the breaker keeps real time
	if st := h.m.Breaker(); st != session.BreakerHalfOpen {
		t.Fatalf("breaker %v after the cooldown, want half-open", st)
	}
	if status := read(); status != http.StatusOK {
		t.Fatalf("the probe read: %d", status)
	}
	if st := h.m.Breaker(); st != session.BreakerClosed {
		t.Fatalf("breaker %v after a successful probe, want closed", st)
	}
	want := [][2]session.BreakerState{
		{session.BreakerClosed, session.BreakerOpen},
		{session.BreakerOpen, session.BreakerHalfOpen},
		{session.BreakerHalfOpen, session.BreakerClosed},
	}
	if !slices.Equal(rec.breakers, want) {
		t.Errorf("transitions %v, want %v", rec.breakers, want)
	}
	if hl := h.m.Health(t.Context()); hl.Store != nil || hl.Breaker != session.BreakerClosed {
		t.Errorf("Health = %+v", hl)
	}
}

// A failed probe opens the breaker again; failures that are not the
// store's (a client gone, a session not found) never count.
func TestBreakerCountsOnlyStoreFailures(t *testing.T) {
	const cooldown = 50 * time.Millisecond
	h := newHarness(t, session.WithBreaker(2, cooldown))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for range 5 {
		_ = h.m.Ping(ctx) // a cancelled request: not the store's fault
	}
	if st := h.m.Breaker(); st != session.BreakerClosed {
		t.Fatalf("breaker %v after cancelled calls, want closed", st)
	}
	h.store.Fail(sessiontest.OpPing)
	_ = h.m.Ping(t.Context())
	_ = h.m.Ping(t.Context())
	time.Sleep(cooldown + 10*time.Millisecond)
	if err := h.m.Ping(t.Context()); !errors.Is(err, session.ErrUnavailable) || errors.Is(err, session.ErrBreakerOpen) {
		t.Fatalf("the probe = %v, want the store's failure", err)
	}
	if err := h.m.Ping(t.Context()); !errors.Is(err, session.ErrBreakerOpen) {
		t.Fatalf("after a failed probe = %v, want ErrBreakerOpen", err)
	}
	if hl := h.m.Health(t.Context()); hl.Store == nil || hl.Breaker != session.BreakerOpen {
		t.Errorf("Health = %+v", hl)
	}
}
