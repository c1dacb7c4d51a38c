package sesschi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	sesschi "github.com/sesskit/sesskit/adapters/chi"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

// The middleware on the root router and again on a mounted sub-router: one
// session, one cookie, the inner login kept (the outer one used to write
// its stale copy over it).
func TestNestedMiddleware(t *testing.T) {
	m, _ := session.New(memstore.New(), session.WithInsecureCookie())
	r := chi.NewRouter()
	r.Use(sesschi.Middleware(m))
	r.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = sesschi.From(r).User() // the outer layer reads first
			next.ServeHTTP(w, r)
		})
	})
	sub := chi.NewRouter()
	sub.Use(sesschi.Middleware(m))
	sub.Post("/login", func(w http.ResponseWriter, r *http.Request) {
		s := sesschi.From(r)
		_ = s.Renew(r.Context())
		_ = s.SetUser("alice")
		w.WriteHeader(http.StatusNoContent)
	})
	r.Mount("/account", sub)
	r.Get("/user", func(w http.ResponseWriter, r *http.Request) {
		u, _ := sesschi.From(r).User()
		_, _ = w.Write([]byte(u))
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/account/login", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("Set-Cookie %q, want one", rec.Header().Values("Set-Cookie"))
	}
	req := httptest.NewRequest(http.MethodGet, "/user", nil)
	req.AddCookie(cookies[0])
	rec = httptest.NewRecorder()
	r.ServeHTTP(rec, req)
	if rec.Body.String() != "alice" {
		t.Errorf("user %q, want alice", rec.Body.String())
	}
}
