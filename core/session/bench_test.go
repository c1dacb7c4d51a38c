package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// BenchmarkMiddleware measures the engine's own cost per request on the
// in-process store; redisstore has the same benchmarks against Redis.
func BenchmarkMiddleware(b *testing.B) {
	m, err := session.New(memstore.New())
	if err != nil {
		b.Fatal(err)
	}
	values := map[string]any{}
	for i := range 50 {
		values[fmt.Sprint("key", i)] = "value of about eighty bytes ........................................ " + fmt.Sprint(i)
	}
	cases := map[string]func(*session.Session){
		"untouched": func(*session.Session) {},
		"read":      func(s *session.Session) { _, _ = session.Get[string](s, "key7") },
		"write":     func(s *session.Session) { _ = s.Set("key7", "new") },
		"read+write": func(s *session.Session) {
			v, _ := session.Get[string](s, "key7")
			_ = s.Set("key7", v)
		},
	}
	create := sesshttp.Middleware(m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		for k, v := range values {
			_ = session.FromContext(r.Context()).Set(k, v)
		}
	}))
	rec := httptest.NewRecorder()
	create.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	cookie := rec.Result().Cookies()[0]
	for name, f := range cases {
		b.Run(name, func(b *testing.B) {
			h := sesshttp.Middleware(m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { f(session.FromContext(r.Context())) }))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.AddCookie(cookie)
			b.ReportAllocs()
			for b.Loop() {
				h.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
