package sessgin_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gin-gonic/gin"
	sessgin "github.com/sesskit/sesskit/adapters/gin"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// app is a Gin server with the session middleware and a few routes.
type app struct {
	t      *testing.T
	url    string
	store  *sessiontest.FaultStore
	mem    *memstore.Store
	m      *session.Manager
	errors atomic.Value // []string: c.Errors of the last request
	gate   chan struct{}
}

func newApp(t *testing.T, opts []sessgin.Option, sopts ...session.Option) *app {
	t.Helper()
	mem := memstore.New()
	a := &app{t: t, mem: mem, store: &sessiontest.FaultStore{Store: mem}, gate: make(chan struct{})}
	m, err := session.New(a.store, append([]session.Option{session.WithInsecureCookie()}, sopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	a.m = m
	r := gin.New()
	r.Use(func(c *gin.Context) {
		c.Next()
		a.errors.Store(c.Errors.Errors())
	})
	r.Use(func(c *gin.Context) { // an outer compressor announcing its encoding first
		if enc := c.GetHeader("X-Outer-Encoding"); enc != "" {
			c.Header("Content-Encoding", enc)
		}
	})
	r.Use(gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, _ any) {
		c.AbortWithStatus(http.StatusInternalServerError)
	}))
	r.Use(sessgin.Middleware(m, opts...))
	set := func(c *gin.Context) bool {
		if err := sessgin.From(c).Set(c.DefaultQuery("k", "k"), c.Query("v")); err != nil {
			c.String(http.StatusInternalServerError, "set: %v", err)
			return false
		}
		return true
	}
	r.GET("/get", func(c *gin.Context) {
		v, err := session.Get[string](sessgin.From(c), "k")
		if err != nil {
			c.String(http.StatusOK, "error: %v", err)
			return
		}
		c.String(http.StatusOK, "%s", v)
	})
	r.GET("/none", func(c *gin.Context) { c.String(http.StatusOK, "none") })
	r.POST("/write", func(c *gin.Context) {
		if set(c) {
			c.String(http.StatusOK, "written")
		}
	})
	r.POST("/json", func(c *gin.Context) {
		if set(c) {
			c.JSON(http.StatusCreated, gin.H{"ok": true})
		}
	})
	r.POST("/status", func(c *gin.Context) {
		if set(c) {
			c.Status(http.StatusNoContent)
		}
	})
	r.POST("/nothing", func(c *gin.Context) { set(c) })
	r.POST("/redirect", func(c *gin.Context) {
		if set(c) {
			c.Redirect(http.StatusSeeOther, "/none")
		}
	})
	r.GET("/redirect", func(c *gin.Context) {
		if set(c) {
			c.Redirect(http.StatusFound, "/none")
		}
	})
	r.POST("/abort", func(c *gin.Context) {
		if set(c) {
			_ = c.AbortWithError(http.StatusUnprocessableEntity, errors.New("bad input"))
		}
	})
	r.POST("/stream", func(c *gin.Context) {
		if !set(c) {
			return
		}
		n := 0
		c.Stream(func(w io.Writer) bool {
			n++
			switch n {
			case 1:
				_, _ = io.WriteString(w, "first\n")
				return true
			case 2:
				select {
				case <-a.gate:
				case <-c.Request.Context().Done():
				}
				_, _ = io.WriteString(w, "last\n")
			}
			return false
		})
	})
	r.POST("/flush", func(c *gin.Context) {
		if set(c) {
			http.NewResponseController(c.Writer).Flush()
			<-a.gate
		}
	})
	r.POST("/readwrite", func(c *gin.Context) {
		_, err := session.Get[string](sessgin.From(c), "k") // fails closed when the store is down
		if set(c) {
			c.String(http.StatusOK, "handler body, read error %v", err)
		}
	})
	r.POST("/headers", func(c *gin.Context) {
		if set(c) {
			for _, k := range []string{"Content-Encoding", "Content-Length", "ETag", "Content-Disposition"} {
				c.Header(k, "7")
			}
			c.String(http.StatusOK, "seven")
		}
	})
	r.POST("/hijack", func(c *gin.Context) {
		if !set(c) {
			return
		}
		conn, buf, err := c.Writer.Hijack()
		if err != nil {
			return // the error handler answered
		}
		defer conn.Close()
		body := fmt.Sprintf("stored %d", a.mem.Len())
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
		_ = buf.Flush()
	})
	r.POST("/panic", func(c *gin.Context) {
		if set(c) {
			panic("boom")
		}
	})
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

type resp struct {
	status int
	header http.Header
	body   string
}

func (a *app) do(method, path, token string, hdr ...string) resp {
	a.t.Helper()
	req, err := http.NewRequestWithContext(a.t.Context(), method, a.url+path, nil)
	if err != nil {
		a.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Cookie", session.DefaultCookieName+"="+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		a.t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, string(b)}
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func token(t *testing.T, h http.Header) string {
	t.Helper()
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && c.Name == session.DefaultCookieName {
			return c.Value
		}
	}
	return ""
}

func TestCommitOnEveryWayOfAnswering(t *testing.T) {
	cases := []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/write", http.StatusOK},
		{http.MethodPost, "/json", http.StatusCreated},
		{http.MethodPost, "/status", http.StatusNoContent},
		{http.MethodPost, "/nothing", http.StatusOK},
		{http.MethodPost, "/redirect", http.StatusSeeOther},
		{http.MethodGet, "/redirect", http.StatusFound},
		{http.MethodPost, "/abort", http.StatusUnprocessableEntity},
		{http.MethodPost, "/stream", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			a := newApp(t, nil)
			close(a.gate)
			r := a.do(tc.method, tc.path+"?v=x", "")
			if r.status != tc.status {
				t.Fatalf("status %d (%q), want %d", r.status, r.body, tc.status)
			}
			tok := token(t, r.header)
			if tok == "" {
				t.Fatalf("no session cookie; Set-Cookie %q", r.header.Values("Set-Cookie"))
			}
			if cc := r.header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", cc)
			}
			if got := a.do(http.MethodGet, "/get", tok); got.body != "x" {
				t.Errorf("stored value %q, want x", got.body)
			}
		})
	}
}

// The session is saved and its cookie sent with the first flushed bytes,
// while the handler is still running.
func TestCommitBeforeFirstByte(t *testing.T) {
	for _, path := range []string{"/stream", "/flush"} {
		t.Run(path, func(t *testing.T) {
			a := newApp(t, nil)
			defer close(a.gate)
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, a.url+path+"?v=s", nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := http.DefaultClient.Do(req) // returns at the headers
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			tok := token(t, res.Header)
			if tok == "" {
				t.Fatalf("no session cookie in the streamed response's headers")
			}
			if got := a.do(http.MethodGet, "/get", tok); got.body != "s" {
				t.Errorf("value while streaming %q, want s", got.body)
			}
		})
	}
}

func TestCommitFailure(t *testing.T) {
	cases := []struct {
		name     string
		path     string
		accept   string
		fail     func(*sessiontest.FaultStore)
		tooLarge bool
		status   int
		body     string
		ctype    string
	}{
		{name: "save fails", path: "/write", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) },
			status: 503, body: "Service Unavailable\n", ctype: "text/plain; charset=utf-8"},
		{name: "save fails, JSON", path: "/json", accept: "application/json", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) },
			status: 503, body: `{"error":"Service Unavailable"}`, ctype: "application/json; charset=utf-8"},
		{name: "load fails", path: "/readwrite", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.OpLoad) },
			status: 503, body: "Service Unavailable\n"},
		{name: "save fails, streaming", path: "/stream", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) },
			status: 503, body: "Service Unavailable\n"},
		{name: "save fails, status only", path: "/status", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) },
			status: 503, body: "Service Unavailable\n"},
		{name: "save fails, redirect", path: "/redirect", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) },
			status: 503, body: "Service Unavailable\n"},
		{name: "save fails, nothing written", path: "/nothing", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) },
			status: 503, body: "Service Unavailable\n"},
		{name: "too large", path: "/write", tooLarge: true, status: 413, body: "Request Entity Too Large\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, nil, session.WithMaxValueSize(100), session.WithMaxSessionSize(280)) // FieldOverhead counts per value
			close(a.gate)
			tok := token(t, a.do(http.MethodPost, "/write?v=first", "").header)
			v := "x"
			if tc.tooLarge {
				v = strings.Repeat("y", 90) // fits a value, not the session
				if r := a.do(http.MethodPost, "/json?k=big&v="+strings.Repeat("z", 90), tok); r.status != http.StatusCreated {
					t.Fatalf("set big: %d %q", r.status, r.body)
				}
			}
			if tc.fail != nil {
				tc.fail(a.store)
			}
			r := a.do(http.MethodPost, tc.path+"?v="+v, tok, "Accept", tc.accept)
			if r.status != tc.status || r.body != tc.body {
				t.Errorf("answer %d %q, want %d %q", r.status, r.body, tc.status, tc.body)
			}
			if tc.ctype != "" && r.header.Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type %q, want %q", r.header.Get("Content-Type"), tc.ctype)
			}
			if v := r.header.Values("Set-Cookie"); len(v) > 0 {
				t.Errorf("Set-Cookie %q on a failed commit", v)
			}
			errs, _ := a.errors.Load().([]string)
			if len(errs) == 0 || !strings.Contains(strings.Join(errs, "|"), "session:") {
				t.Errorf("c.Errors = %q, want the session error", errs)
			}
			a.store.Heal()
			if got := a.do(http.MethodGet, "/get", tok); got.body != "first" {
				t.Errorf("value after the failed request %q, want first", got.body)
			}
		})
	}
}

func TestWithErrorHandler(t *testing.T) {
	cases := []struct {
		name   string
		h      func(*gin.Context, error)
		status int
		body   string
	}{
		{"answers", func(c *gin.Context, err error) {
			c.JSON(http.StatusTeapot, gin.H{"error": "sessions are down", "unavailable": errors.Is(err, sessiontest.ErrInjected)})
		}, http.StatusTeapot, `{"error":"sessions are down","unavailable":true}`},
		{"writes nothing", func(*gin.Context, error) {}, http.StatusServiceUnavailable, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, []sessgin.Option{sessgin.WithErrorHandler(tc.h)})
			a.store.Fail(sessiontest.Writes...)
			r := a.do(http.MethodPost, "/write?v=x", "")
			if r.status != tc.status || r.body != tc.body {
				t.Errorf("answer %d %q, want %d %q", r.status, r.body, tc.status, tc.body)
			}
		})
	}
}

func TestFrom(t *testing.T) {
	m, err := session.New(memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	r.ContextWithFallback = true // lets session.FromContext(c) reach the request's context
	r.GET("/with", sessgin.Middleware(m), func(c *gin.Context) {
		same := sessgin.From(c) == session.FromContext(c.Request.Context()) && sessgin.From(c) == session.FromContext(c)
		_, err := sessgin.From(c).Status()
		c.String(http.StatusOK, "%v %v", same, err)
	})
	r.GET("/without", func(c *gin.Context) {
		_, err := sessgin.From(c).Status()
		c.String(http.StatusOK, "%v", errors.Is(err, session.ErrNoSession))
	})
	for path, want := range map[string]string{"/with": "true <nil>", "/without": "true"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Body.String() != want {
			t.Errorf("%s: %q, want %q", path, rec.Body.String(), want)
		}
	}
}

func TestErrorPageHeaders(t *testing.T) {
	cases := []struct {
		name, outer, wantEncoding string
	}{
		{"no outer encoding", "", ""},
		{"outer encoding kept", "x-outer", "x-outer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, nil)
			a.store.Fail(sessiontest.Writes...)
			r := a.do(http.MethodPost, "/headers?v=x", "", "X-Outer-Encoding", tc.outer)
			if r.status != http.StatusServiceUnavailable || r.body != "Service Unavailable\n" {
				t.Fatalf("answer %d %q, want 503", r.status, r.body)
			}
			if got := r.header.Get("Content-Encoding"); got != tc.wantEncoding {
				t.Errorf("Content-Encoding %q, want %q", got, tc.wantEncoding)
			}
			for _, k := range []string{"ETag", "Content-Disposition"} {
				if v := r.header.Get(k); v != "" {
					t.Errorf("%s %q left from the dropped response", k, v)
				}
			}
		})
	}
}

// Hijack commits an existing session first; a new session, whose token no
// header could carry, is refused (session.ErrHijacked) and answered normally.
func TestHijackCommitsFirst(t *testing.T) {
	a := newApp(t, nil)
	tok := token(t, a.do(http.MethodPost, "/write?v=first", "").header)
	if r := a.do(http.MethodPost, "/hijack?v=h", tok); r.status != http.StatusOK || r.body != "stored 1" {
		t.Errorf("hijacked answer %d %q, want 200 \"stored 1\"", r.status, r.body)
	}
	if got := a.do(http.MethodGet, "/get", tok); got.body != "h" {
		t.Errorf("value saved before the hijack %q, want h", got.body)
	}
	if r := a.do(http.MethodPost, "/hijack?v=h", ""); strings.HasPrefix(r.body, "stored") || token(t, r.header) == "" {
		t.Errorf("hijack of a new session answered %d %q, Set-Cookie %q; want it refused and answered with the cookie", r.status, r.body, r.header.Values("Set-Cookie"))
	}
	a.store.Fail(sessiontest.Writes...)
	if r := a.do(http.MethodPost, "/hijack?v=h", tok); r.status != http.StatusServiceUnavailable {
		t.Errorf("hijack after a failed commit answered %d %q, want 503", r.status, r.body)
	}
}
