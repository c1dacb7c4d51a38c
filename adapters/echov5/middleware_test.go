package sessechov5_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	sessechov5 "github.com/sesskit/sesskit/adapters/echov5"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// app is an Echo server with the session middleware and a few routes.
type app struct {
	t       *testing.T
	url     string
	store   *sessiontest.FaultStore
	mem     *memstore.Store
	handled atomic.Pointer[error] // what the HTTPErrorHandler got last
	gate    chan struct{}
}

func newApp(t *testing.T, opts []sessechov5.Option, sopts ...session.Option) *app {
	t.Helper()
	mem := memstore.New()
	a := &app{t: t, mem: mem, store: &sessiontest.FaultStore{Store: mem}, gate: make(chan struct{})}
	m, err := session.New(a.store, append([]session.Option{session.WithInsecureCookie()}, sopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Logger = slog.New(slog.DiscardHandler)
	defaultHandler := echo.DefaultHTTPErrorHandler(false)
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		a.handled.Store(&err)
		defaultHandler(c, err)
	}
	// Echo's request logger renders a returned error itself (c.Error), right
	// after the session middleware returned it.
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		HandleError:   true,
		LogValuesFunc: func(*echo.Context, middleware.RequestLoggerValues) error { return nil },
	}))
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc { // an outer compressor announcing its encoding first
		return func(c *echo.Context) error {
			if enc := c.Request().Header.Get("X-Outer-Encoding"); enc != "" {
				c.Response().Header().Set(echo.HeaderContentEncoding, enc)
			}
			return next(c)
		}
	})
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	e.Use(sessechov5.Middleware(m, opts...))
	set := func(c *echo.Context) error {
		key := c.QueryParam("k")
		if key == "" {
			key = "k"
		}
		if err := sessechov5.From(c).Set(key, c.QueryParam("v")); err != nil {
			return c.String(http.StatusInternalServerError, "set: "+err.Error())
		}
		return nil
	}
	route := func(method, path string, h echo.HandlerFunc) {
		e.Add(method, path, func(c *echo.Context) error {
			if err := set(c); err != nil || committed(c) {
				return err
			}
			return h(c)
		})
	}
	e.GET("/get", func(c *echo.Context) error {
		v, err := session.Get[string](sessechov5.From(c), "k")
		if err != nil {
			return c.String(http.StatusOK, "error: "+err.Error())
		}
		return c.String(http.StatusOK, v)
	})
	e.GET("/none", func(c *echo.Context) error { return c.String(http.StatusOK, "none") })
	route(http.MethodPost, "/write", func(c *echo.Context) error { return c.String(http.StatusOK, "written") })
	route(http.MethodPost, "/json", func(c *echo.Context) error { return c.JSON(http.StatusCreated, map[string]bool{"ok": true}) })
	route(http.MethodPost, "/status", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) })
	route(http.MethodPost, "/nothing", func(*echo.Context) error { return nil })
	route(http.MethodPost, "/redirect", func(c *echo.Context) error { return c.Redirect(http.StatusSeeOther, "/none") })
	route(http.MethodPost, "/error", func(*echo.Context) error {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "bad input")
	})
	route(http.MethodPost, "/plainerror", func(*echo.Context) error { return errors.New("handler failed") })
	route(http.MethodPost, "/stream", func(c *echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextPlain)
		c.Response().WriteHeader(http.StatusOK)
		if _, err := io.WriteString(c.Response(), "first\n"); err != nil {
			return err
		}
		if err := http.NewResponseController(c.Response()).Flush(); err != nil {
			return err
		}
		select {
		case <-a.gate:
		case <-c.Request().Context().Done():
		}
		_, err := io.WriteString(c.Response(), "last\n")
		return err
	})
	// Echo's Response.Flush bypasses Response.WriteHeader (and its Before
	// hooks): the headers must still carry the session.
	route(http.MethodPost, "/flush", func(c *echo.Context) error {
		if err := http.NewResponseController(c.Response()).Flush(); err != nil {
			return err
		}
		select {
		case <-a.gate:
		case <-c.Request().Context().Done():
		}
		return nil
	})
	e.POST("/readwrite", func(c *echo.Context) error {
		_, err := session.Get[string](sessechov5.From(c), "k") // fails closed when the store is down
		if err := set(c); err != nil {
			return err
		}
		return c.String(http.StatusOK, fmt.Sprintf("handler body, read error %v", err))
	})
	route(http.MethodPost, "/panic", func(*echo.Context) error { panic("boom") })
	route(http.MethodPost, "/headers", func(c *echo.Context) error {
		for _, k := range []string{"Content-Encoding", "Content-Length", "ETag", "Content-Disposition"} {
			c.Response().Header().Set(k, "7")
		}
		return c.String(http.StatusOK, "seven")
	})
	route(http.MethodPost, "/hijack", func(c *echo.Context) error {
		conn, buf, err := http.NewResponseController(c.Response()).Hijack()
		if err != nil {
			return err
		}
		defer conn.Close()
		body := fmt.Sprintf("stored %d", a.mem.Len())
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
		return buf.Flush()
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

// committed reports whether the response has gone to the client.
func committed(c *echo.Context) bool {
	r, err := echo.UnwrapResponse(c.Response())
	return err == nil && r.Committed
}

type resp struct {
	status int
	header http.Header
	body   string
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

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
		path   string
		status int
	}{
		{"/write", http.StatusOK},
		{"/json", http.StatusCreated},
		{"/status", http.StatusNoContent},
		{"/nothing", http.StatusOK},
		{"/redirect", http.StatusSeeOther},
		{"/error", http.StatusUnprocessableEntity},
		{"/plainerror", http.StatusInternalServerError},
		{"/stream", http.StatusOK},
		{"/flush", http.StatusOK},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			a := newApp(t, nil)
			close(a.gate)
			r := a.do(http.MethodPost, tc.path+"?v=x", "")
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
	const unavailable = `{"message":"Service Unavailable"}` + "\n"
	cases := []struct {
		name     string
		path     string
		fail     func(*sessiontest.FaultStore)
		tooLarge bool
		status   int
		body     string
	}{
		{name: "save fails", path: "/write", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) }, status: 503, body: unavailable},
		{name: "save fails, JSON", path: "/json", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) }, status: 503, body: unavailable},
		{name: "load fails", path: "/readwrite", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.OpLoad) }, status: 503, body: unavailable},
		{name: "save fails, streaming", path: "/stream", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) }, status: 503, body: unavailable},
		{name: "save fails, flush", path: "/flush", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) }, status: 503, body: unavailable},
		{name: "save fails, no content", path: "/status", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) }, status: 503, body: unavailable},
		{name: "save fails, redirect", path: "/redirect", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) }, status: 503, body: unavailable},
		{name: "save fails, nothing written", path: "/nothing", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) }, status: 503, body: unavailable},
		{name: "save fails, handler error", path: "/error", fail: func(s *sessiontest.FaultStore) { s.Fail(sessiontest.Writes...) }, status: 503, body: unavailable},
		{name: "too large", path: "/write", tooLarge: true, status: 413, body: `{"message":"Request Entity Too Large"}` + "\n"},
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
			r := a.do(http.MethodPost, tc.path+"?v="+v, tok)
			if r.status != tc.status || r.body != tc.body {
				t.Errorf("answer %d %q, want %d %q", r.status, r.body, tc.status, tc.body)
			}
			if v := r.header.Values("Set-Cookie"); len(v) > 0 {
				t.Errorf("Set-Cookie %q on a failed commit", v)
			}
			var he *echo.HTTPError
			if err := *a.handled.Load(); !errors.As(err, &he) || he.Code != tc.status || he.Unwrap() == nil {
				t.Errorf("HTTPErrorHandler got %v, want an *echo.HTTPError %d with the session error inside", err, tc.status)
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
		h      func(*echo.Context, error) error
		status int
		body   string
	}{
		{"returns an error", func(_ *echo.Context, err error) error {
			return echo.NewHTTPError(http.StatusTeapot, "sessions are down").Wrap(err)
		}, http.StatusTeapot, `{"message":"sessions are down"}` + "\n"},
		{"answers", func(c *echo.Context, err error) error {
			return c.String(http.StatusTooManyRequests, fmt.Sprint("later ", errors.Is(err, sessiontest.ErrInjected)))
		}, http.StatusTooManyRequests, "later true"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := newApp(t, []sessechov5.Option{sessechov5.WithErrorHandler(tc.h)})
			a.store.Fail(sessiontest.Writes...)
			r := a.do(http.MethodPost, "/write?v=x", "")
			if r.status != tc.status || r.body != tc.body {
				t.Errorf("answer %d %q, want %d %q", r.status, r.body, tc.status, tc.body)
			}
		})
	}
}

func TestWithSkipper(t *testing.T) {
	a := newApp(t, []sessechov5.Option{sessechov5.WithSkipper(func(c *echo.Context) bool {
		return c.Request().URL.Path == "/write"
	})})
	r := a.do(http.MethodPost, "/write?v=x", "")
	if r.status != http.StatusInternalServerError || !strings.Contains(r.body, "no session") || r.header.Get("Set-Cookie") != "" {
		t.Errorf("skipped route answered %d %q, Set-Cookie %q; want 500 with ErrNoSession, no cookie", r.status, r.body, r.header.Get("Set-Cookie"))
	}
	if r := a.do(http.MethodPost, "/json?v=x", ""); token(t, r.header) == "" {
		t.Errorf("route not skipped has no session cookie")
	}
}

func TestFrom(t *testing.T) {
	m, err := session.New(memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.GET("/with", func(c *echo.Context) error {
		same := sessechov5.From(c) == session.FromContext(c.Request().Context())
		_, err := sessechov5.From(c).Status()
		return c.String(http.StatusOK, fmt.Sprint(same, " ", err))
	}, sessechov5.Middleware(m))
	e.GET("/without", func(c *echo.Context) error {
		_, err := sessechov5.From(c).Status()
		return c.String(http.StatusOK, fmt.Sprint(errors.Is(err, session.ErrNoSession)))
	})
	for path, want := range map[string]string{"/with": "true <nil>", "/without": "true"} {
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
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
			if r.status != http.StatusServiceUnavailable || r.body != `{"message":"Service Unavailable"}`+"\n" {
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
