package sesschi_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/go-chi/chi/v5"
	sesschi "github.com/sesskit/sesskit/adapters/chi"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// BenchmarkMiddleware drives requests in process (httptest.NewRecorder, no
// sockets) on each store of sessiontest.Stores (Redis from
// SESSKIT_REDIS_URL, skipped without it):
//
//	untouched  the handler never looks at the session: 0 store calls
//	read       reads one value of an existing session: 1 store call
//	write      sets one value of an existing session: 1 store call
//
// chi is a chi router with sesschi.Middleware; nethttp is an http.ServeMux
// with core/sesshttp's Middleware, the baseline. The bare variants
// are the routers without any session middleware. The adapter's overhead is
// (chi/X - chi/bare) - (nethttp/X - nethttp/bare).
func BenchmarkMiddleware(b *testing.B) {
	for _, st := range sessiontest.Stores() {
		b.Run(st.Name, func(b *testing.B) {
			m, err := session.New(st.New(b), session.WithInsecureCookie())
			if err != nil {
				b.Fatal(err)
			}
			routers := map[string]func(*session.Manager) http.Handler{"chi": benchChi, "nethttp": benchNetHTTP}
			for _, name := range []string{"chi", "nethttp"} {
				h := routers[name](m)
				token := benchSession(b, h)
				for _, route := range []string{"untouched", "read", "write"} {
					b.Run(name+"/"+route, func(b *testing.B) { benchServe(b, h, route, token) })
				}
				b.Run(name+"/bare", func(b *testing.B) { benchServe(b, routers[name](nil), "untouched", token) })
			}
		})
	}
}

// benchRoutes are the benchmark's handlers.
func benchRoutes() (untouched, read, write http.HandlerFunc) {
	untouched = func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }
	read = func(w http.ResponseWriter, r *http.Request) {
		n, err := session.Get[int](session.FromContext(r.Context()), "visits")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(strconv.AppendInt(nil, int64(n), 10))
	}
	n := 0
	write = func(w http.ResponseWriter, r *http.Request) {
		n++ // benchmarks run serially
		if err := session.FromContext(r.Context()).Set("visits", n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	}
	return untouched, read, write
}

// benchChi is a chi router with sesschi.Middleware, or none for m == nil.
func benchChi(m *session.Manager) http.Handler {
	r := chi.NewRouter()
	if m != nil {
		r.Use(sesschi.Middleware(m))
	}
	untouched, read, write := benchRoutes()
	r.Get("/untouched", untouched)
	r.Get("/read", read)
	r.Get("/write", write)
	return r
}

// benchNetHTTP is an http.ServeMux with sesshttp.Middleware(m), or none for m == nil.
func benchNetHTTP(m *session.Manager) http.Handler {
	mux := http.NewServeMux()
	untouched, read, write := benchRoutes()
	mux.HandleFunc("GET /untouched", untouched)
	mux.HandleFunc("GET /read", read)
	mux.HandleFunc("GET /write", write)
	if m == nil {
		return mux
	}
	return sesshttp.Middleware(m)(mux)
}

// benchSession creates a session holding visits through h and returns its
// token.
func benchSession(b *testing.B, h http.Handler) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/write", nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == session.DefaultCookieName && c.Value != "" {
			return c.Value
		}
	}
	b.Fatalf("no session cookie (status %d: %s)", rec.Code, rec.Body)
	return ""
}

func benchServe(b *testing.B, h http.Handler, route, token string) {
	req := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/"+route, nil)
	req.Header.Set("Cookie", session.DefaultCookieName+"="+token)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if len(rec.Result().Cookies()) > 0 {
			b.Fatal("the session was not reused: the response sets a cookie")
		}
	}
}
