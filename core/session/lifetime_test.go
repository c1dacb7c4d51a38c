package session_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// lifetimeHarness is a Manager with short timeouts (10 min idle, 1 h
// absolute), a browser-session cookie and ceilings of 24 h and 30 days.
func lifetimeHarness(t *testing.T) *harness {
	return newHarness(t, session.WithIdleTimeout(10*time.Minute), session.WithAbsoluteTimeout(time.Hour),
		session.WithBrowserSessionCookie(), session.WithMaxLifetime(24*time.Hour, 30*24*time.Hour))
}

const ownIdle, ownAbsolute = 24 * time.Hour, 30 * 24 * time.Hour

// login logs token's session in as alice with the own lifetime and
// returns the new token.
func (h *harness) loginWithLifetime(token string) *http.Response {
	h.t.Helper()
	return h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		must(h.t, s.Renew(r.Context()))
		must(h.t, s.SetUser("alice"))
		must(h.t, s.SetLifetime(ownIdle, ownAbsolute))
	})
}

func wantMaxAge(t *testing.T, resp *http.Response, want time.Duration) string {
	t.Helper()
	c := sessionCookie(resp)
	if c == nil {
		t.Fatal("no session cookie")
	}
	if c.MaxAge != int(want/time.Second) {
		t.Fatalf("Max-Age = %d s, want %d s", c.MaxAge, int(want/time.Second))
	}
	return c.Value
}

func TestLifetimeAtLogin(t *testing.T) {
	h := lifetimeHarness(t)
	anon := h.newSession(map[string]any{"a": 1})
	calls := h.calls()
	token := wantMaxAge(t, h.loginWithLifetime(anon), ownAbsolute) // persistent despite WithBrowserSessionCookie
	if n := h.calls() - calls; n != 3 {
		t.Errorf("login with a lifetime: %d store calls, want 3 (index, take, create)", n)
	}
	login := h.clock.Now()

	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		idle, absolute, err := s.Lifetime()
		must(t, err)
		if idle != ownIdle || absolute != ownAbsolute {
			t.Errorf("Lifetime = %v, %v; want %v, %v", idle, absolute, ownIdle, ownAbsolute)
		}
		at, err := s.Expires()
		must(t, err)
		if want := login.Add(ownAbsolute); !at.Equal(want) {
			t.Errorf("Expires = %v, want %v", at, want)
		}
	})
	devices, err := h.m.Devices(t.Context(), "alice")
	must(t, err)
	if len(devices) != 1 || !devices[0].Expires.Equal(login.Add(ownAbsolute)) {
		t.Fatalf("devices = %+v, want one expiring at %v", devices, login.Add(ownAbsolute))
	}

	// Idle for 5 h, far past the Manager's 10 min; then past its 1 h
	// absolute timeout.
	h.clock.Advance(5 * time.Hour)
	if isNew(t, h, token) {
		t.Fatal("session ended before its own idle timeout")
	}
	h.clock.Advance(23 * time.Hour)
	if isNew(t, h, token) {
		t.Fatal("session ended before its own idle timeout, or at the Manager's absolute one")
	}
	h.clock.Advance(ownIdle + time.Second)
	if !isNew(t, h, token) {
		t.Fatal("session outlived its own idle timeout")
	}
}

func TestLifetimeAbsolute(t *testing.T) {
	h := lifetimeHarness(t)
	token := wantMaxAge(t, h.loginWithLifetime(""), ownAbsolute)
	for i := range 30 * 2 { // busy every 12 h for 30 days
		h.clock.Advance(12 * time.Hour)
		if i == 30*2-1 {
			h.clock.Advance(-time.Second)
		}
		if isNew(t, h, token) {
			t.Fatalf("busy session ended %v after login, before its own absolute timeout", time.Duration(i+1)*12*time.Hour)
		}
	}
	h.clock.Advance(time.Second)
	if !isNew(t, h, token) {
		t.Fatal("session outlived its own absolute timeout")
	}
}

func TestLifetimeCeiling(t *testing.T) {
	h := newHarness(t, session.WithIdleTimeout(10*time.Minute), session.WithAbsoluteTimeout(time.Hour))
	token := h.newSession(map[string]any{"a": 1})
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		// The default ceilings are the Manager's own timeouts.
		for _, l := range [][2]time.Duration{{11 * time.Minute, 0}, {0, 2 * time.Hour}, {-time.Second, 0}, {0, time.Microsecond}} {
			if err := s.SetLifetime(l[0], l[1]); !errors.Is(err, session.ErrLifetime) {
				t.Errorf("SetLifetime(%v, %v) = %v, want ErrLifetime", l[0], l[1], err)
			}
		}
		must(t, s.SetLifetime(5*time.Minute, 0)) // shorter: always allowed
	})
	h.clock.Advance(6 * time.Minute)
	if !isNew(t, h, token) {
		t.Fatal("session outlived its own, shorter, idle timeout")
	}
	if _, err := session.New(h.store, session.WithIdleTimeout(10*time.Minute), session.WithMaxLifetime(5*time.Minute, 0)); !errors.Is(err, session.ErrInvalidOption) {
		t.Fatalf("ceiling below the idle timeout: New = %v, want ErrInvalidOption", err)
	}
}

// TestLifetimeOnExistingSession sets a lifetime without Renew, in a
// request that does not read the session, then renews.
func TestLifetimeOnExistingSession(t *testing.T) {
	h := lifetimeHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	created := h.clock.Now()
	h.clock.Advance(time.Minute)
	loads, writes := h.loads(), h.writes()
	resp := h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.SetLifetime(ownIdle, ownAbsolute))
	})
	if l, w := h.loads()-loads, h.writes()-writes; l != 1 || w != 1 {
		t.Errorf("lifetime: %d loads, %d writes; want 1 (the creation time) and 1", l, w)
	}
	if got := wantMaxAge(t, resp, ownAbsolute-time.Minute); got != token {
		t.Fatal("the token changed")
	}
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.SetLifetime(ownIdle, ownAbsolute-time.Hour))
		at, err := s.Expires() // reads the session: the pending lifetime counts
		must(t, err)
		if want := created.Add(ownAbsolute - time.Hour); !at.Equal(want) {
			t.Errorf("Expires with a pending lifetime = %v, want %v", at, want)
		}
		session.Discard(s)
	})

	h.clock.Advance(2 * time.Hour) // past the Manager's absolute timeout
	resp = h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) { must(t, s.Renew(r.Context())) })
	renewed := wantMaxAge(t, resp, ownAbsolute-2*time.Hour-time.Minute) // a renewal keeps the lifetime and deadline
	h.do(renewed, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		idle, _, err := s.Lifetime()
		must(t, err)
		at, err := s.Expires()
		must(t, err)
		if idle != ownIdle || !at.Equal(created.Add(ownAbsolute)) {
			t.Errorf("after renew: idle %v, expires %v; want %v, %v", idle, at, ownIdle, created.Add(ownAbsolute))
		}
	})

	// Back to the Manager's timeouts: the session, 2 h old, is over.
	resp = h.do(renewed, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) { must(t, s.SetLifetime(0, 0)) })
	if c := sessionCookie(resp); c == nil || c.MaxAge >= 0 {
		t.Fatalf("cookie %v, want it expired", c)
	}
	if !isNew(t, h, renewed) {
		t.Fatal("session outlived the Manager's absolute timeout once its own was cleared")
	}
}

// TestLifetimeRelogin logs in again (Renew with SetUser) a session with
// its own lifetime, without reading it first: the take brings the
// lifetime, and the user's index gets the deadline it gives.
func TestLifetimeRelogin(t *testing.T) {
	h := lifetimeHarness(t)
	token := wantMaxAge(t, h.loginWithLifetime(""), ownAbsolute)
	h.clock.Advance(time.Hour)
	resp := h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		must(t, s.Renew(r.Context()))
		must(t, s.SetUser("alice"))
	})
	token = wantMaxAge(t, resp, ownAbsolute) // a login: counted from now
	want := h.clock.Now().Add(ownAbsolute)
	h.clock.Advance(5 * time.Hour) // past the Manager's absolute timeout
	if isNew(t, h, token) {
		t.Fatal("re-login lost the session's own idle timeout")
	}
	devices, err := h.m.Devices(t.Context(), "alice")
	must(t, err)
	if len(devices) != 1 || !devices[0].Expires.Equal(want) {
		t.Fatalf("devices = %+v, want one expiring at %v (its index entry too)", devices, want)
	}
}

// TestLifetimeAfterLogin sets a lifetime on a logged-in session without
// Renew: the user's index follows the new deadline.
func TestLifetimeAfterLogin(t *testing.T) {
	h := lifetimeHarness(t)
	resp := h.do("", func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		must(t, s.Renew(r.Context()))
		must(t, s.SetUser("alice"))
	})
	token := sessionCookie(resp).Value
	if c := sessionCookie(resp); c.MaxAge != 0 {
		t.Fatalf("Max-Age %d with WithBrowserSessionCookie and no lifetime of its own", c.MaxAge)
	}
	created := h.clock.Now()
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.SetLifetime(0, ownAbsolute))
	})
	for range 30 { // busy for 2.5 h: past the Manager's absolute timeout, not its own
		h.clock.Advance(5 * time.Minute)
		if isNew(t, h, token) {
			t.Fatal("session ended at the Manager's absolute timeout")
		}
	}
	devices, err := h.m.Devices(t.Context(), "alice")
	must(t, err)
	if want := created.Add(ownAbsolute); len(devices) != 1 || !devices[0].Expires.Equal(want) {
		t.Fatalf("devices = %+v, want one expiring at %v (its index entry too)", devices, want)
	}
	h.clock.Advance(11 * time.Minute) // the Manager's idle timeout still holds
	if !isNew(t, h, token) {
		t.Fatal("session outlived the Manager's idle timeout, which it kept")
	}
}
