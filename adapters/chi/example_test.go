package sesschi_test

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	sesschi "github.com/sesskit/sesskit/adapters/chi"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

func Example() {
	m, err := session.New(memstore.New()) // redisstore.New(rdb) in production
	if err != nil {
		log.Fatal(err)
	}
	r := chi.NewRouter()
	r.Use(middleware.Recoverer, sesschi.Middleware(m))
	r.Post("/visits", func(w http.ResponseWriter, r *http.Request) {
		s := sesschi.From(r)
		n, err := session.Get[int](s, "visits")
		if err != nil && !errors.Is(err, session.ErrNoValue) {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		if err := s.Set("visits", n+1); err != nil {
			http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "visits: %d", n+1)
	})

	var cookie *http.Cookie
	for range 2 {
		req := httptest.NewRequest(http.MethodPost, "/visits", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if cs := rec.Result().Cookies(); len(cs) > 0 {
			cookie = cs[0]
		}
		fmt.Println(rec.Body.String())
	}
	// Output:
	// visits: 1
	// visits: 2
}
