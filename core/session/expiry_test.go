package session_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

func isNew(t *testing.T, h *harness, token string) bool {
	t.Helper()
	var fresh bool
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		var err error
		fresh, err = statusNew(s)
		must(t, err)
	})
	return fresh
}

func TestIdleExpiry(t *testing.T) {
	h := newHarness(t, session.WithIdleTimeout(10*time.Minute), session.WithTouchInterval(time.Minute))
	token := h.newSession(map[string]any{"a": 1})
	h.clock.Advance(9 * time.Minute)
	if isNew(t, h, token) {
		t.Fatal("session expired before the idle timeout")
	}
	// That read touched the session: it lives 10 more minutes from here.
	h.clock.Advance(9 * time.Minute)
	if isNew(t, h, token) {
		t.Fatal("a read did not extend the idle lifetime")
	}
	h.clock.Advance(10*time.Minute + time.Second)
	if !isNew(t, h, token) {
		t.Fatal("session outlived its idle timeout")
	}
}

func TestTouchOnlyAfterInterval(t *testing.T) {
	h := newHarness(t, session.WithIdleTimeout(10*time.Minute), session.WithTouchInterval(2*time.Minute))
	token := h.newSession(map[string]any{"a": 1})
	h.clock.Advance(time.Minute)
	isNew(t, h, token) // within the interval: no touch
	h.clock.Advance(9*time.Minute + time.Second)
	if !isNew(t, h, token) {
		t.Error("a read within the touch interval extended the session")
	}
}

func TestAbsoluteExpiryWinsOverActivity(t *testing.T) {
	h := newHarness(t, session.WithIdleTimeout(10*time.Minute), session.WithAbsoluteTimeout(time.Hour))
	token := h.newSession(map[string]any{"a": 1})
	for range 6 {
		h.clock.Advance(9 * time.Minute)
		h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) { must(t, s.Set("b", 2)) })
	}
	if isNew(t, h, token) {
		t.Fatal("busy session expired before its deadline")
	}
	h.clock.Advance(7 * time.Minute) // 61 minutes after creation
	if !isNew(t, h, token) {
		t.Fatal("session outlived its absolute timeout")
	}
}

func TestRenewKeepsDeadline(t *testing.T) {
	h := newHarness(t, session.WithIdleTimeout(10*time.Minute), session.WithAbsoluteTimeout(time.Hour))
	token := h.newSession(map[string]any{"a": 1})
	for range 11 { // keep it alive by activity until 55 minutes in
		h.clock.Advance(5 * time.Minute)
		h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) { must(t, s.Set("a", 2)) })
	}
	resp := h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) { must(t, s.Renew(r.Context())) })
	c := sessionCookie(resp)
	if c == nil {
		t.Fatal("no renewed cookie")
	}
	if c.MaxAge > 5*60 {
		t.Errorf("renewed cookie Max-Age %d outlives the deadline", c.MaxAge)
	}
	h.clock.Advance(6 * time.Minute)
	if !isNew(t, h, c.Value) {
		t.Error("renew extended the absolute deadline")
	}
}
