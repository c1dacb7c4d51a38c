package session_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

func Example() {
	// In production: store, err := redisstore.New(rdb)
	m, err := session.New(memstore.New(),
		session.WithIdleTimeout(30*time.Minute),
		session.WithAbsoluteTimeout(12*time.Hour))
	if err != nil {
		panic(err)
	}
	visits := sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		n, err := session.Get[int](s, "visits")
		if err != nil && !errors.Is(err, session.ErrNoValue) {
			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := s.Set("visits", n+1); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "visit %d", n+1)
	}))

	var cookie *http.Cookie
	for range 3 {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		visits.ServeHTTP(rec, req)
		if cs := rec.Result().Cookies(); len(cs) > 0 {
			cookie = cs[0]
		}
		fmt.Println(rec.Body.String())
	}
	// Output:
	// visit 1
	// visit 2
	// visit 3
}

func ExampleSession_Renew() {
	login := func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		// A new token on login stops session fixation; the data stays.
		if err := s.Renew(r.Context()); err != nil {
			http.Error(w, "session unavailable", http.StatusServiceUnavailable)
			return
		}
		_ = s.SetUser("alice")
	}
	_ = login
}
