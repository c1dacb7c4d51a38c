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

func ExampleSession_SetLifetime() {
	// Sessions end after 30 minutes idle or 12 hours; a user who ticks
	// "keep me logged in" may keep one for 30 days, idle up to 7.
	m, err := session.New(memstore.New(), session.WithBrowserSessionCookie(),
		session.WithMaxLifetime(7*24*time.Hour, 30*24*time.Hour))
	if err != nil {
		panic(err)
	}
	login := sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		err := s.Renew(r.Context())
		if err == nil {
			err = s.SetUser("alice")
		}
		if err == nil && r.FormValue("keep") == "on" {
			err = s.SetLifetime(7*24*time.Hour, 30*24*time.Hour)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}))
	for _, keep := range []string{"off", "on"} {
		rec := httptest.NewRecorder()
		login.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/login?keep="+keep, nil))
		c := rec.Result().Cookies()[0]
		fmt.Printf("keep=%s: cookie Max-Age %v\n", keep, (time.Duration(c.MaxAge) * time.Second).Round(time.Hour))
	}
	// Output:
	// keep=off: cookie Max-Age 0s
	// keep=on: cookie Max-Age 720h0m0s
}
