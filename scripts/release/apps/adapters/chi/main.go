// The release check's Chi app: what a new user writes after
// go get github.com/sesskit/sesskit/adapters/chi.
package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	sesschi "github.com/sesskit/sesskit/adapters/chi"
)

func main() {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer, sesschi.Middleware(newManager()))
	r.Post("/visits", func(w http.ResponseWriter, r *http.Request) {
		n, err := visit(sesschi.From(r))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	})
	srv := httptest.NewServer(r)
	defer srv.Close()
	check(srv.URL, sesschi.Version)
}
