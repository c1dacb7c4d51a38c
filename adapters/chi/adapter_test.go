package sesschi_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	sesschi "github.com/sesskit/sesskit/adapters/chi"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// TestConformance runs the adapter suite on memstore and, with
// SESSKIT_REDIS_URL, on Redis.
func TestConformance(t *testing.T) {
	sessiontest.TestAdapter(t, sessiontest.Adapter{Serve: serveSuite})
}

// serveSuite mounts the suite's routes on a chi router.
func serveSuite(t *testing.T, m *session.Manager) string {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer, sesschi.Middleware(m))
	r.HandleFunc(sessiontest.PlainPrefix+"*", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		status, out := sessiontest.Handle(r.Context(), sesschi.From(r), r.URL.Path, body)
		w.WriteHeader(status)
		w.Write(out)
	})
	r.Get(sessiontest.StreamPath, func(w http.ResponseWriter, r *http.Request) {
		for chunk := range sessiontest.Stream(r.Context(), sesschi.From(r), r.URL.Query().Get(sessiontest.GateParam)) {
			w.Write(chunk)
			http.NewResponseController(w).Flush()
		}
	})
	r.Get(sessiontest.RedirectPath, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, sessiontest.Redirect(sesschi.From(r)), http.StatusFound)
	})
	r.Get(sessiontest.FailPath, func(w http.ResponseWriter, r *http.Request) {
		err := sessiontest.Fail(sesschi.From(r))
		http.Error(w, err.Error(), sessiontest.FailStatus)
	})
	r.Get(sessiontest.PanicPath, func(w http.ResponseWriter, r *http.Request) {
		sessiontest.Panic(sesschi.From(r))
	})
	return sessiontest.ServeHandler(t, r)
}

// TestScopes checks the middleware on a group and on one route, and that a
// handler outside them sees session.ErrNoSession instead of a panic.
func TestScopes(t *testing.T) {
	m, err := session.New(memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	setVisit := func(w http.ResponseWriter, r *http.Request) {
		if err := sesschi.From(r).Set("visit", chi.URLParam(r, "page")); err != nil {
			if errors.Is(err, session.ErrNoSession) {
				http.Error(w, "no session", http.StatusTeapot)
				return
			}
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}
	r := chi.NewRouter()
	r.Route("/group", func(r chi.Router) {
		r.Use(sesschi.Middleware(m))
		r.Get("/{page}", setVisit)
	})
	r.With(sesschi.Middleware(m)).Get("/one/{page}", setVisit)
	r.Get("/outside/{page}", setVisit)

	for _, tc := range []struct {
		path   string
		status int
		cookie bool
	}{
		{"/group/a", http.StatusOK, true},
		{"/one/b", http.StatusOK, true},
		{"/outside/c", http.StatusTeapot, false},
	} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequestWithContext(t.Context(), http.MethodGet, tc.path, nil))
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, rec.Code, tc.status)
		}
		if got := len(rec.Result().Cookies()) > 0; got != tc.cookie {
			t.Errorf("%s: sets a cookie: %v, want %v", tc.path, got, tc.cookie)
		}
	}
}

func TestFromWithoutMiddleware(t *testing.T) {
	s := sesschi.From(httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil))
	if s == nil {
		t.Fatal("From returned nil")
	}
	if err := s.Set("a", 1); !errors.Is(err, session.ErrNoSession) {
		t.Fatalf("Set without middleware: %v, want ErrNoSession", err)
	}
}

func TestMiddlewareNilManager(t *testing.T) {
	defer func() {
		if p := recover(); p == nil {
			t.Fatal("Middleware(nil) did not panic")
		}
	}()
	sesschi.Middleware(nil)
}

var errNotHijacker = errors.New("writer is not an http.Hijacker")

// TestHijack upgrades a connection (as WebSocket libraries do) through the
// session middleware.
func TestHijack(t *testing.T) {
	m, err := session.New(memstore.New())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		hijack func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error)
	}{
		{"ResponseController", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			return http.NewResponseController(w).Hijack()
		}},
		{"Hijacker assertion", func(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter, error) {
			hj, ok := w.(http.Hijacker)
			if !ok {
				return nil, nil, errNotHijacker
			}
			return hj.Hijack()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := chi.NewRouter()
			r.Use(sesschi.Middleware(m))
			r.Get("/upgrade", func(w http.ResponseWriter, r *http.Request) {
				conn, rw, err := tc.hijack(w)
				if errors.Is(err, errNotHijacker) {
					http.Error(w, err.Error(), http.StatusNotImplemented)
					return
				}
				if err != nil {
					t.Error(err)
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
				defer conn.Close()
				rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n")
				rw.Flush()
			})
			srv := httptest.NewServer(r)
			defer srv.Close()
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/upgrade", nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusSwitchingProtocols {
				t.Fatalf("status %d, want 101", res.StatusCode)
			}
		})
	}
}
