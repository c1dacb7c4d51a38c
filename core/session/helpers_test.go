package session_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

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

// countingStore counts the calls that reach the wrapped store.
type countingStore struct {
	session.Store
	loads, saves, deletes atomic.Int32
	fail                  atomic.Bool // every call fails as unavailable
	failDelete            atomic.Bool // Delete fails as unavailable
}

func (c *countingStore) Load(ctx context.Context, id string, t session.Touch) (session.Record, bool, error) {
	c.loads.Add(1)
	if c.fail.Load() {
		return session.Record{}, false, session.ErrUnavailable
	}
	return c.Store.Load(ctx, id, t)
}

func (c *countingStore) Save(ctx context.Context, id string, ch session.Change) error {
	c.saves.Add(1)
	if c.fail.Load() {
		return session.ErrUnavailable
	}
	return c.Store.Save(ctx, id, ch)
}

func (c *countingStore) Delete(ctx context.Context, id string) error {
	c.deletes.Add(1)
	if c.fail.Load() || c.failDelete.Load() {
		return session.ErrUnavailable
	}
	return c.Store.Delete(ctx, id)
}

func (c *countingStore) calls() int32 { return c.loads.Load() + c.saves.Load() + c.deletes.Load() }

// harness is a Manager over a counting memstore on a fake clock.
type harness struct {
	t     *testing.T
	clock *clock
	store *countingStore
	m     *session.Manager
}

func newHarness(t *testing.T, opts ...session.Option) *harness {
	t.Helper()
	c := newClock()
	st := &countingStore{Store: memstore.New(memstore.WithClock(c.Now))}
	m, err := session.New(st, append([]session.Option{session.WithClock(c.Now)}, opts...)...)
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
	h.m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
