package sessechov5_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"
	sessechov5 "github.com/sesskit/sesskit/adapters/echov5"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// benchCases are the handlers' session work: none, one read, one write.
var benchCases = []struct {
	name string
	work func(*session.Session)
}{
	{"untouched", func(*session.Session) {}},
	{"read", func(s *session.Session) { _, _ = session.Get[string](s, "key3") }},
	{"write", func(s *session.Session) { _ = s.Set("key3", "new") }},
}

// BenchmarkMiddleware serves one request per iteration, in process, through
// Echo with this middleware ("echo") and through the core net/http
// middleware alone ("nethttp"), on a session of ten values. The difference
// between the two is Echo's cost plus this adapter's; BenchmarkBaseline
// gives Echo's and net/http's own.
func BenchmarkMiddleware(b *testing.B) {
	for _, store := range sessiontest.Stores() {
		b.Run(store.Name, func(b *testing.B) {
			st := store.New(b)
			m, err := session.New(st)
			if err != nil {
				b.Fatal(err)
			}
			cookie := newBenchSession(b, m)
			for _, bc := range benchCases {
				b.Run(bc.name+"/echo", func(b *testing.B) {
					e := echo.New()
					e.Use(sessechov5.Middleware(m))
					e.GET("/", func(c *echo.Context) error {
						bc.work(sessechov5.From(c))
						return c.String(http.StatusOK, "ok")
					})
					benchServe(b, e, cookie)
				})
				b.Run(bc.name+"/nethttp", func(b *testing.B) {
					h := sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						bc.work(session.FromContext(r.Context()))
						w.Header().Set("Content-Type", "text/plain; charset=utf-8")
						w.WriteHeader(http.StatusOK)
						_, _ = w.Write([]byte("ok"))
					}))
					benchServe(b, h, cookie)
				})
			}
		})
	}
}

// BenchmarkBaseline is the same request with no session middleware.
func BenchmarkBaseline(b *testing.B) {
	b.Run("echo", func(b *testing.B) {
		e := echo.New()
		e.GET("/", func(c *echo.Context) error { return c.String(http.StatusOK, "ok") })
		benchServe(b, e, nil)
	})
	b.Run("nethttp", func(b *testing.B) {
		h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte("ok"))
		})
		benchServe(b, h, nil)
	})
}

func newBenchSession(b *testing.B, m *session.Manager) *http.Cookie {
	b.Helper()
	h := sesshttp.Middleware(m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		for i := range 10 {
			_ = s.Set(fmt.Sprint("key", i), fmt.Sprint("a value of about forty bytes, number ", i))
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		b.Fatalf("creating the session: status %d, cookies %v", rec.Code, cs)
	}
	return cs[0]
}

func benchServe(b *testing.B, h http.Handler, cookie *http.Cookie) {
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
