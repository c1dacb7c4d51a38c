package session_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// calls counts the store calls of h: loads, writes and deletes.
func (h *harness) loads() int32  { return int32(h.store.Calls(sessiontest.OpLoad)) }
func (h *harness) writes() int32 { return int32(h.store.Calls(sessiontest.Writes...)) }
func (h *harness) calls() int32  { return int32(h.store.Calls()) }

// clock is a fake time source shared by the engine and memstore.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// harness is a Manager over a counting memstore on a fake clock.
type harness struct {
	t     *testing.T
	clock *clock
	store *sessiontest.FaultStore
	m     *session.Manager
}

func newHarness(t *testing.T, opts ...session.Option) *harness {
	t.Helper()
	c := newClock()
	st := &sessiontest.FaultStore{Store: memstore.New(memstore.WithClock(c.Now))}
	m, err := session.New(st, append([]session.Option{session.WithClock(c.Now), session.WithLogger(slog.New(slog.DiscardHandler))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, clock: c, store: st, m: m}
}

// do runs handler behind the middleware with the given cookie token
// ("" for none) and returns the response.
func (h *harness) do(token string, handler func(w http.ResponseWriter, r *http.Request, s *session.Session)) *http.Response {
	h.t.Helper()
	req := httptest.NewRequestWithContext(h.t.Context(), http.MethodGet, "/", nil)
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "session", Value: token})
	}
	rec := httptest.NewRecorder()
	sesshttp.Middleware(h.m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handler(w, r, session.FromContext(r.Context()))
	})).ServeHTTP(rec, req)
	return rec.Result()
}

// sessionCookie returns the session cookie a response sets, or nil.
func sessionCookie(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == "session" {
			return c
		}
	}
	return nil
}

// newSession creates a session holding values and returns its token.
func (h *harness) newSession(values map[string]any) string {
	h.t.Helper()
	resp := h.do("", func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
		for k, v := range values {
			if err := s.Set(k, v); err != nil {
				h.t.Fatal(err)
			}
		}
	})
	c := sessionCookie(resp)
	if c == nil || c.Value == "" {
		h.t.Fatalf("no session cookie in %v", resp.Header)
	}
	return c.Value
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func storeIDForTest(token string) string { return session.StoreID(token) }

// statusNew reports whether no stored session backed s's request.
func statusNew(s *session.Session) (bool, error) {
	st, err := s.Status()
	return st == session.StatusNew, err
}
