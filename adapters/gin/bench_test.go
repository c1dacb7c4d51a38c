package sessgin_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/redis/go-redis/v9"
	sessgin "github.com/sesskit/sesskit/adapters/gin"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// benchStores returns the stores to benchmark on: Redis at
// SESSKIT_REDIS_URL (the number that matters) and memstore (the adapter's
// CPU cost without network noise).
func benchStores(b *testing.B) map[string]session.Store {
	stores := map[string]session.Store{"memstore": memstore.New()}
	url := os.Getenv("SESSKIT_REDIS_URL")
	if url == "" {
		if os.Getenv("SESSKIT_REQUIRE_REDIS") == "1" {
			b.Fatal("SESSKIT_REDIS_URL is not set and SESSKIT_REQUIRE_REDIS=1")
		}
		b.Log("SESSKIT_REDIS_URL is not set: benchmarking memstore only")
		return stores
	}
	opt, err := redisstore.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	prefix := "sesskit-bench:" + rand.Text() + ":"
	b.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	st, err := redisstore.New(rdb, redisstore.WithPrefix(prefix))
	if err != nil {
		b.Fatal(err)
	}
	stores["redis"] = st
	return stores
}

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
// Gin with this middleware ("gin") and through the core net/http
// middleware alone ("nethttp"), on a session of ten values. The difference
// between the two is Gin's cost plus this adapter's; BenchmarkBaseline
// gives Gin's and net/http's own.
func BenchmarkMiddleware(b *testing.B) {
	for name, st := range benchStores(b) {
		b.Run(name, func(b *testing.B) {
			m, err := session.New(st)
			if err != nil {
				b.Fatal(err)
			}
			cookie := newBenchSession(b, m)
			for _, bc := range benchCases {
				b.Run(bc.name+"/gin", func(b *testing.B) {
					r := gin.New()
					r.Use(sessgin.Middleware(m))
					r.GET("/", func(c *gin.Context) {
						bc.work(sessgin.From(c))
						c.String(http.StatusOK, "ok")
					})
					benchServe(b, r, cookie)
				})
				b.Run(bc.name+"/nethttp", func(b *testing.B) {
					h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	b.Run("gin", func(b *testing.B) {
		r := gin.New()
		r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
		benchServe(b, r, nil)
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
	h := m.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
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
