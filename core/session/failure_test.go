package session_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

func TestStoreDownFailsClosed(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	h.store.Fail()
	resp := h.do(token, func(w http.ResponseWriter, _ *http.Request, s *session.Session) {
		if _, err := session.Get[int](s, "a"); !errors.Is(err, session.ErrUnavailable) {
			t.Errorf("Get: %v, want ErrUnavailable", err)
		}
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "built on missing data")
	})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", resp.StatusCode)
	}
	if strings.Contains(string(body), "missing data") || strings.Contains(string(body), token) || strings.Contains(string(body), "unavailable:") {
		t.Errorf("body leaks: %q", body)
	}
	if len(resp.Cookies()) != 0 {
		t.Errorf("failed request set cookies: %v", resp.Cookies())
	}
}

func TestDegradedModeServesFreshUnsavedSession(t *testing.T) {
	h := newHarness(t, session.WithDegradedMode(), session.WithLogger(slog.New(slog.DiscardHandler)))
	token := h.newSession(map[string]any{"a": 1})
	h.store.Fail()
	resp := h.do(token, func(w http.ResponseWriter, _ *http.Request, s *session.Session) {
		st, err := s.Status()
		if st != session.StatusDegraded || err != nil {
			t.Errorf("status %v, %v", st, err)
		}
		must(t, s.Set("b", 2))
		w.WriteHeader(http.StatusOK)
	})
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 0 {
		t.Errorf("degraded response: %d %v", resp.StatusCode, resp.Cookies())
	}
	if n := h.writes(); n != 1 { // the one that created the session
		t.Errorf("degraded session was saved (%d saves)", n)
	}
}

func TestPanicDiscardsSession(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	saves := h.writes()
	recovered := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if recover() != nil {
					w.WriteHeader(http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
	for _, tok := range []string{"", token} {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		if tok != "" {
			req.AddCookie(&http.Cookie{Name: "session", Value: tok})
		}
		rec := httptest.NewRecorder()
		recovered(sesshttp.Middleware(h.m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			must(t, session.FromContext(r.Context()).Set("half", true))
			panic("boom")
		}))).ServeHTTP(rec, req)
		if rec.Code != http.StatusInternalServerError || len(rec.Result().Cookies()) != 0 {
			t.Errorf("panicking request: %d, cookies %v", rec.Code, rec.Result().Cookies())
		}
	}
	if h.writes() != saves {
		t.Error("a panicking request saved its changes")
	}
}

func TestStreamingCommitsBeforeFirstByte(t *testing.T) {
	h := newHarness(t)
	srv := httptest.NewServer(sesshttp.Middleware(h.m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, session.FromContext(r.Context()).Set("a", 1))
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		<-r.Context().Done() // hold the stream open until the client has seen the headers
	})))
	defer srv.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := srv.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	if sessionCookie(resp) == nil {
		t.Error("streamed response carries no session cookie")
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != "first" {
		t.Errorf("first chunk %q, %v", buf, err)
	}
}

func TestCorruptSessionIsAbsent(t *testing.T) {
	var logs bytes.Buffer
	clk := newClock()
	st := memstore.New(memstore.WithClock(clk.Now))
	m, err := session.New(st, session.WithClock(clk.Now), session.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	must(t, err)
	h := &harness{t: t, clock: clk, store: &sessiontest.FaultStore{Store: st}, m: m}
	rules := func() session.Rules { return session.Rules{Now: clk.Now(), Idle: time.Hour, Absolute: time.Hour} }
	token := h.newSession(map[string]any{"good": 1})
	for name, value := range map[string][]byte{
		"unknown tag": []byte("z{}"),
		"bad json":    []byte("j{not json"),
		"empty":       {},
	} {
		t.Run(name, func(t *testing.T) {
			h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
				// Plant corrupt data straight into the store, as a foreign writer would.
				must(t, st.Save(t.Context(), storeIDForTest(token), session.Change{Set: map[string][]byte{"bad": value}}, rules()))
			})
			h.do(token, func(_ http.ResponseWriter, _ *http.Request, s *session.Session) {
				if fresh, err := statusNew(s); !fresh || err != nil {
					t.Errorf("corrupt session served: new=%v err=%v", fresh, err)
				}
				if ok, _ := s.Has("good"); ok {
					t.Error("partial data served from a corrupt session")
				}
			})
			must(t, st.Save(t.Context(), storeIDForTest(token), session.Change{Delete: []string{"bad"}}, rules()))
		})
	}
	if !strings.Contains(logs.String(), "corrupt") || strings.Contains(logs.String(), token) {
		t.Errorf("logs: %s", logs.String())
	}
}

// A renew whose old session cannot be taken must not hand out a new token:
// the old one would still work beside it. One whose new session cannot be
// written must not hand one out either.
func TestRenewFailureSendsNoToken(t *testing.T) {
	for _, op := range []sessiontest.Op{sessiontest.OpTake, sessiontest.OpCreate} {
		h := newHarness(t)
		token := h.newSession(map[string]any{"a": 1})
		h.store.Fail(op)
		resp := h.do(token, func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
			must(t, s.Renew(r.Context()))
		})
		if resp.StatusCode != http.StatusServiceUnavailable || len(resp.Cookies()) != 0 {
			t.Errorf("renew with %v failing: status %d, cookies %v", op, resp.StatusCode, resp.Cookies())
		}
	}
}

func TestGoexitDiscardsSession(t *testing.T) {
	h := newHarness(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.do("", func(_ http.ResponseWriter, r *http.Request, s *session.Session) {
			must(t, s.Set("a", 1))
			runtime.Goexit()
		})
	}()
	<-done
	if n := h.writes(); n != 0 {
		t.Errorf("a request ended by Goexit saved %d times", n)
	}
}

func TestErrorPageDropsBodyHeaders(t *testing.T) {
	h := newHarness(t)
	h.store.Fail()
	resp := h.do("", func(w http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.Set("a", 1))
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", "1234")
		w.WriteHeader(http.StatusOK)
	})
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("error page: %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}

func TestHijackCommitsFirst(t *testing.T) {
	h := newHarness(t)
	token := h.newSession(map[string]any{"a": 1})
	before := h.writes()
	srv := httptest.NewServer(sesshttp.Middleware(h.m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, session.FromContext(r.Context()).Set("a", 2))
		conn, _, err := w.(http.Hijacker).Hijack()
		must(t, err)
		conn.Close()
	})))
	defer srv.Close()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	req.AddCookie(&http.Cookie{Name: "session", Value: token})
	resp, err := srv.Client().Do(req)
	if err == nil {
		resp.Body.Close()
	}
	if n := h.writes() - before; n != 1 {
		t.Errorf("saves before hijack = %d, want 1", n)
	}
}

// A hijacked connection cannot carry a new token: Hijack refuses, saving
// nothing, and the handler can still answer normally with the cookie.
func TestHijackRefusesNewToken(t *testing.T) {
	h := newHarness(t)
	var hijackErr error
	resp := h.do("", func(w http.ResponseWriter, _ *http.Request, s *session.Session) {
		must(t, s.Set("a", 1))
		_, _, hijackErr = http.NewResponseController(w).Hijack()
		if h.writes() != 0 {
			t.Error("the refused hijack saved the session")
		}
		w.WriteHeader(http.StatusConflict)
	})
	if !errors.Is(hijackErr, session.ErrHijacked) {
		t.Errorf("Hijack = %v, want ErrHijacked", hijackErr)
	}
	if resp.StatusCode != http.StatusConflict || sessionCookie(resp) == nil {
		t.Errorf("after the refused hijack: status %d, cookie %v", resp.StatusCode, sessionCookie(resp))
	}
}

// A compressor outside the middleware sets Content-Encoding before the
// session runs and compresses the error page too: the header must stay.
func TestErrorPageKeepsOuterEncoding(t *testing.T) {
	h := newHarness(t)
	h.store.Fail()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	rec := httptest.NewRecorder()
	rec.Header().Set("Content-Encoding", "gzip")
	sesshttp.Middleware(h.m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		must(t, session.FromContext(r.Context()).Set("a", 1))
		w.Header().Set("Content-Length", "10")
	})).ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Length") != "" {
		t.Errorf("error page: %d, headers %v", rec.Code, rec.Header())
	}
}
