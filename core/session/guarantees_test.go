package session_test

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// The lifecycle guarantees at the engine (issue items in brackets). The
// adapter suite (sessiontest.TestAdapter) checks the racing ones over HTTP
// for every adapter and store.

// [1] A renew whose session was destroyed before its commit starts empty.
func TestRenewAfterDestroyStartsEmpty(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	resp := h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		must(t, s.Renew(r.Context()))
		h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) { must(t, s.Destroy(r.Context())) })
	})
	if c := sessionCookie(resp); c != nil && c.Value != "" {
		h.do(c.Value, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
			if ok, _ := s.Has("a"); ok {
				t.Error("the renew wrote the destroyed session back")
			}
		})
	}
}

// [2] A write that lands between a renew's start and its commit is kept.
func TestRenewKeepsConcurrentWrite(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	resp := h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		_, _ = session.Get[int](s, "a") // the renewing request read the session first
		must(t, s.Renew(r.Context()))
		h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) { must(t, s.Set("b", 2)) })
	})
	h.do(sessionCookie(resp).Value, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if b, err := session.Get[int](s, "b"); b != 2 || err != nil {
			t.Errorf("b = %d, %v after the renew; want the concurrent write kept", b, err)
		}
	})
}

// [3] A request in flight with the old token sends no token after a
// renew, and its write fails with 409.
func TestInFlightRequestAfterRenew(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	var renewed string
	login := func() {
		resp := h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
			must(t, s.Renew(r.Context()))
			must(t, s.SetUser("alice"))
		})
		renewed = sessionCookie(resp).Value
	}
	read := h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		_, _ = session.Get[int](s, "a")
		login()
	})
	write := h.do(token, func(w http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.Set("c", 3))
	})
	if read.StatusCode != http.StatusOK || len(read.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("read in flight: %d, Set-Cookie %q", read.StatusCode, read.Header.Values("Set-Cookie"))
	}
	if write.StatusCode != http.StatusConflict || len(write.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("write with the old token: %d, Set-Cookie %q; want 409 and none", write.StatusCode, write.Header.Values("Set-Cookie"))
	}
	h.do(renewed, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if u, _ := s.User(); u != "alice" {
			t.Errorf("user %q after login", u)
		}
	})
}

// [4] Destroy deletes under the presented token even when the session was
// unreadable, and its store failure fails the request.
func TestDestroyDeletesWhateverTheLoadFound(t *testing.T) {
	h := newHarness(t, session.WithDegradedMode())
	token := h.newSession(map[string]any{"a": 1})
	h.store.Fail(sessiontest.OpLoad)
	h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		if st, _ := s.Status(); st != session.StatusDegraded {
			t.Fatalf("status %v, want degraded", st)
		}
		must(t, s.Destroy(r.Context()))
	})
	h.store.Heal()
	if !isNew(t, h, token) {
		t.Error("destroy in degraded mode left the session")
	}

	token = h.newSession(map[string]any{"a": 1})
	h.store.Fail(sessiontest.OpDelete)
	resp := h.do(token, func(w http.ResponseWriter, r *http.Request, s *session.Session) {
		_ = s.Destroy(r.Context()) // the handler ignores the error
		w.WriteHeader(http.StatusNoContent)
	})
	if resp.StatusCode != http.StatusServiceUnavailable || len(resp.Header.Values("Set-Cookie")) != 0 {
		t.Errorf("failed destroy: %d, Set-Cookie %q; want 503 and none", resp.StatusCode, resp.Header.Values("Set-Cookie"))
	}
}

// [6] Changes after the response started fail with ErrCommitted; reads
// still work; a Destroy still deletes.
func TestChangeAfterResponseStarted(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	h.do(token, func(w http.ResponseWriter, r *http.Request, s *session.Session) {
		w.WriteHeader(http.StatusOK)
		for name, err := range map[string]error{
			"Set":     s.Set("b", 2),
			"Delete":  s.Delete("a"),
			"SetUser": s.SetUser("x"),
			"Clear":   s.Clear(),
			"Renew":   s.Renew(r.Context()),
			"Append":  session.Append(s, "l", 1),
			"Incr":    func() error { _, err := session.Incr(s, "n", 1); return err }(),
			"Pop":     func() error { _, err := session.Pop[int](s, "a"); return err }(),
		} {
			if !errors.Is(err, session.ErrCommitted) {
				t.Errorf("%s after the response started = %v, want ErrCommitted", name, err)
			}
		}
		if a, err := session.Get[int](s, "a"); a != 1 || err != nil {
			t.Errorf("Get after the response started = %d, %v", a, err)
		}
		must(t, s.Destroy(r.Context()))
	})
	if !isNew(t, h, token) {
		t.Error("Destroy after the response started did not delete")
	}

	// Behind http.TimeoutHandler the handler goes on after the timeout
	// answered: its late changes must say so.
	late, proceed := make(chan error, 1), make(chan struct{})
	handler := http.TimeoutHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-proceed // until the timeout's answer has gone out
		late <- session.FromContext(r.Context()).Set("late", 1)
	}), 10*time.Millisecond, "timeout")
	rec := httptest.NewRecorder()
	sesshttp.Middleware(h.m)(handler).ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil))
	close(proceed)
	if err := <-late; !errors.Is(err, session.ErrCommitted) {
		t.Errorf("Set behind a TimeoutHandler that timed out = %v, want ErrCommitted", err)
	}
}

// [10] The middleware installed twice gives one request one session.
func TestNestedMiddlewareSharesTheSession(t *testing.T) {
	h := newHarness(t)
	mw := sesshttp.Middleware(h.m)
	var outer, inner *session.Session
	handler := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		outer = session.FromContext(r.Context())
		mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inner = session.FromContext(r.Context())
			must(t, inner.Renew(r.Context()))
			must(t, inner.SetUser("alice"))
		})).ServeHTTP(w, r)
		_ = outer.Set("after", 1)
	}))
	token := h.newSession(map[string]any{"a": 1})
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: token})
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	if outer != inner {
		t.Fatal("two sessions for one request")
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Set-Cookie %q, want one", rec.Header().Values("Set-Cookie"))
	}
	h.do(cookies[0].Value, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		if u, _ := s.User(); u != "alice" {
			t.Errorf("user %q: the inner login was lost", u)
		}
	})
}

// [11] Stored deadlines are capped: lowering the absolute timeout shortens
// existing sessions, impossible times make a session corrupt.
func TestStoredDeadlinesAreCapped(t *testing.T) {
	c := newClock()
	st := memstore.New(memstore.WithClock(c.Now))
	quiet := session.WithLogger(slog.New(slog.DiscardHandler))
	long, err := session.New(st, quiet, session.WithClock(c.Now), session.WithIdleTimeout(3*time.Hour), session.WithAbsoluteTimeout(24*time.Hour))
	must(t, err)
	short, err := session.New(st, quiet, session.WithClock(c.Now), session.WithIdleTimeout(3*time.Hour), session.WithAbsoluteTimeout(time.Hour))
	must(t, err)
	hl := &harness{t: t, clock: c, store: &sessiontest.FaultStore{Store: st}, m: long}
	hs := &harness{t: t, clock: c, store: &sessiontest.FaultStore{Store: st}, m: short}
	token := hl.newSession(map[string]any{"a": 1})
	c.Advance(2 * time.Hour)
	if !isNew(t, hs, token) {
		t.Error("a lowered absolute timeout did not shorten an existing session")
	}
	if isNew(t, hl, token) {
		t.Error("the session is gone under its own timeout")
	}

	r := session.Rules{Now: c.Now(), Idle: time.Hour, Absolute: 24 * time.Hour}
	for name, rec := range map[string]session.Record{
		"created after its deadline":  {Created: c.Now().Add(time.Minute), Deadline: c.Now().Add(time.Second)},
		"created in the future":       {Created: c.Now().Add(time.Hour), Deadline: c.Now().Add(2 * time.Hour)},
		"deadline in year 31 million": {Created: c.Now().Add(-25 * time.Hour), Deadline: time.UnixMilli(1 << 60)},
	} {
		rec.Values = map[string][]byte{"a": []byte("j1")}
		token := sessiontest.RandomID() // a valid token: 32 random bytes, base64url
		must(t, st.Create(t.Context(), sessiontest.TokenID(token), rec, r))
		if !isNew(t, hl, token) {
			t.Errorf("%s: the session was served", name)
		}
	}
}

// [12] Loads never write: a read-only request makes no write call at all,
// and a due touch is a separate call.
func TestReadsNeverWrite(t *testing.T) {
	h := newHarness(t, session.WithIdleTimeout(time.Hour), session.WithTouchInterval(10*time.Minute))
	token := h.newSession(map[string]any{"a": 1})
	before := h.writes()
	read := func() {
		h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) { _, _ = session.Get[int](s, "a") })
	}
	read()
	if n := h.writes() - before; n != 0 {
		t.Errorf("a read wrote %d times", n)
	}
	h.clock.Advance(11 * time.Minute)
	h.store.Fail(sessiontest.Writes...) // writes are paused, as in a FAILOVER
	read()
	h.store.Heal()
	if n := h.store.Calls(sessiontest.OpTouch); n != 1 {
		t.Errorf("touches after the interval = %d, want 1", n)
	}
	read()
	if n := h.store.Calls(sessiontest.OpTouch); n != 2 {
		t.Errorf("touches = %d, want 2 (the failed one did not count as done)", n)
	}
}

// [8] One client cannot make its session expensive: values count their
// per-field overhead and their number is capped.
func TestManyTinyValuesAreRefused(t *testing.T) {
	h := newHarness(t, session.WithMaxKeys(10))
	token := h.newSession(map[string]any{"k0": 0})
	refused := 0
	for i := 1; i < 20; i++ {
		resp := h.do(token, func(w http.ResponseWriter, _ *http.Request, s *session.Session) {
			_ = s.Set("k"+strings.Repeat("x", i), i)
			w.WriteHeader(http.StatusOK)
		})
		if resp.StatusCode == http.StatusRequestEntityTooLarge {
			refused++
		}
	}
	if refused != 10 {
		t.Errorf("%d of 19 blind writes refused, want 10 (the cap is 10 values)", refused)
	}
}

// [16] A login gets a full absolute lifetime; a renew alone keeps it.
func TestLoginRestartsAbsoluteLifetime(t *testing.T) {
	h := newHarness(t, session.WithIdleTimeout(time.Hour), session.WithAbsoluteTimeout(2*time.Hour))
	token := h.newSession(map[string]any{"a": 1})
	h.clock.Advance(50 * time.Minute)
	h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) { must(t, s.Set("a", 2)) })
	h.clock.Advance(50 * time.Minute)
	resp := h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
		must(t, s.Renew(r.Context()))
		must(t, s.SetUser("alice"))
	})
	c := sessionCookie(resp)
	if c.MaxAge < int((2*time.Hour-time.Minute)/time.Second) {
		t.Errorf("login cookie Max-Age %d, want a full 2h", c.MaxAge)
	}
	h.clock.Advance(50 * time.Minute) // 150 minutes after the anonymous session began
	if isNew(t, h, c.Value) {
		t.Error("logged out at the anonymous session's deadline")
	}
}

// Corrupt sessions are logged without their token.
func TestCorruptLogHasNoToken(t *testing.T) {
	var logs bytes.Buffer
	h := newHarness(t, session.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	token := h.newSession(map[string]any{"a": 1})
	r := session.Rules{Now: h.clock.Now(), Idle: time.Hour, Absolute: time.Hour}
	must(t, h.store.Save(t.Context(), sessiontest.TokenID(token), session.Change{Set: map[string][]byte{"bad": []byte("j{")}}, r))
	isNew(t, h, token)
	if !strings.Contains(logs.String(), "corrupt") || strings.Contains(logs.String(), token) {
		t.Errorf("logs: %s", logs.String())
	}
}
