// Command chi is the sesskit demo app on chi. From the repository root:
//
//	go run ./examples/chi                                # in-process store
//	go run ./examples/chi -redis redis://127.0.0.1:6379/0
//
// Every route and flag is in examples/README.md.
package main

import (
	"errors"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	sesschi "github.com/sesskit/sesskit/adapters/chi"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/examples/internal/demo"
	sessprom "github.com/sesskit/sesskit/telemetry/prometheus"
)

func main() {
	cfg := demo.Configure("chi") // flags and environment: examples/README.md

	// The store: Redis when one is configured, else in process.
	var store session.Store = memstore.New()
	rdb, err := cfg.RedisClient()
	demo.Must("chi", err)
	if rdb != nil {
		store, err = redisstore.New(rdb, cfg.StoreOptions()...)
		demo.Must("chi", err)
	}
	// The Manager: the cookie "session", or the token in a header for API
	// clients; codec and cookie flags from the configuration; its metrics
	// for Prometheus at /metrics.
	metrics := sessprom.New()
	m, err := session.New(store, append(cfg.SessionOptions(),
		session.WithCookieName("session"),
		session.WithHeaderToken("X-Session-Token"),
		session.WithObserver(metrics),
	)...)
	demo.Must("chi", err)
	app := demo.NewApp("chi", cfg, m, rdb)

	r := chi.NewRouter()
	r.Use(middleware.Recoverer) // outside the sessions: a panic saves nothing
	r.Use(sesschi.Middleware(m, sesschi.WithErrorHandler(demo.WriteHTTPError)))
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		demo.WriteJSON(w, http.StatusNotFound, demo.NotFound)
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		demo.WriteJSON(w, http.StatusMethodNotAllowed, demo.MethodNotAllowed)
	})

	r.Get("/", func(w http.ResponseWriter, r *http.Request) {
		status, page := app.Page(sess(r))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		w.Write(page)
	})
	for path, form := range demo.Forms {
		r.Post(path, func(w http.ResponseWriter, r *http.Request) {
			in, ok := readBody(w, r)
			if !ok {
				return
			}
			if err := form(app.FormContext(r.Context(), r), sess(r), in); err != nil {
				status, body := demo.Failure(err)
				demo.WriteJSON(w, status, body)
				return
			}
			http.Redirect(w, r, "/", http.StatusSeeOther)
		})
	}

	r.Method(http.MethodGet, "/metrics", metrics.Handler())
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		status, body := app.Health(r.Context())
		demo.WriteJSON(w, status, body)
	})
	r.Route("/api", func(r chi.Router) {
		r.Get("/session", func(w http.ResponseWriter, r *http.Request) {
			status, body := demo.GetSession(sess(r))
			demo.WriteJSON(w, status, body)
		})
		r.Post("/visits", func(w http.ResponseWriter, r *http.Request) {
			s := sess(r)
			n, err := session.Incr(s, "visits", 1) // in the store: concurrent visits all count
			if errors.Is(err, session.ErrDecode) { // "visits" held something else: start over
				n, err = 1, s.Set("visits", 1)
			}
			if err != nil {
				fail(w, err)
				return
			}
			demo.WriteJSON(w, http.StatusOK, map[string]int64{"visits": n})
		})
		r.Put("/values/{key}", func(w http.ResponseWriter, r *http.Request) {
			if in, ok := readBody(w, r); ok {
				status, body := demo.PutValue(sess(r), chi.URLParam(r, "key"), in)
				demo.WriteJSON(w, status, body)
			}
		})
		r.Get("/values/{key}", func(w http.ResponseWriter, r *http.Request) {
			status, body := demo.GetValue(sess(r), chi.URLParam(r, "key"))
			demo.WriteJSON(w, status, body)
		})
		r.Delete("/values/{key}", func(w http.ResponseWriter, r *http.Request) {
			status, body := demo.DeleteValue(sess(r), chi.URLParam(r, "key"))
			demo.WriteJSON(w, status, body)
		})
		r.Post("/login", func(w http.ResponseWriter, r *http.Request) {
			body, ok := readBody(w, r)
			if !ok {
				return
			}
			in, err := demo.ParseLogin(body)
			if err != nil {
				fail(w, err)
				return
			}
			// At most -login-limit attempts per user and client address.
			wait, allowed, err := app.LoginAllowed(r.Context(), in.User, r)
			if err == nil && !allowed {
				w.Header().Set("Retry-After", demo.RetryAfter(wait))
				status, body := demo.TooManyLogins()
				demo.WriteJSON(w, status, body)
				return
			}
			s := sess(r)
			// A new token on login: a token planted before cannot follow the user.
			if err == nil {
				err = s.Renew(r.Context())
			}
			if err == nil {
				err = s.SetUser(in.User) // also lists the session among the user's devices
			}
			if err == nil {
				err = s.SetLabel(demo.DeviceLabel(r.UserAgent()))
			}
			if err == nil && in.Remember {
				err = s.Remember()
			}
			if err != nil {
				fail(w, err)
				return
			}
			demo.WriteJSON(w, http.StatusOK, in)
		})
		r.Post("/logout", func(w http.ResponseWriter, r *http.Request) {
			if err := sess(r).Destroy(r.Context()); err != nil {
				fail(w, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
		r.Post("/cart", func(w http.ResponseWriter, r *http.Request) {
			if in, ok := readBody(w, r); ok {
				status, body := demo.AddToCart(sess(r), in)
				demo.WriteJSON(w, status, body)
			}
		})
		r.Post("/flash", func(w http.ResponseWriter, r *http.Request) {
			body, ok := readBody(w, r)
			if !ok {
				return
			}
			msg, err := demo.ParseFlash(body)
			if err == nil {
				err = session.Append(sess(r), "flash", msg) // in the store: concurrent messages all land
			}
			if err != nil {
				fail(w, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		})
		r.Get("/flash", func(w http.ResponseWriter, r *http.Request) {
			msgs, err := session.Pop[[]string](sess(r), "flash") // each message reaches one request
			if err != nil && !demo.NoValue(err) {
				fail(w, err)
				return
			}
			demo.WriteJSON(w, http.StatusOK, demo.Messages(msgs))
		})
		r.Get("/wizard", func(w http.ResponseWriter, r *http.Request) {
			status, body := demo.Wizard(sess(r))
			demo.WriteJSON(w, status, body)
		})
		r.Post("/wizard/{step}", func(w http.ResponseWriter, r *http.Request) {
			if in, ok := readBody(w, r); ok {
				status, body := demo.WizardStep(sess(r), chi.URLParam(r, "step"), in)
				demo.WriteJSON(w, status, body)
			}
		})
		r.Get("/devices", func(w http.ResponseWriter, r *http.Request) {
			status, body := demo.Devices(r.Context(), sess(r))
			demo.WriteJSON(w, status, body)
		})
		r.Delete("/devices/{id}", func(w http.ResponseWriter, r *http.Request) {
			status, body := demo.RevokeDevice(r.Context(), sess(r), chi.URLParam(r, "id"))
			demo.WriteJSON(w, status, body)
		})
		r.Post("/devices/revoke-others", func(w http.ResponseWriter, r *http.Request) {
			status, body := demo.RevokeOtherDevices(r.Context(), sess(r))
			demo.WriteJSON(w, status, body)
		})
	})

	app.Run(demo.HTTPServer(r))
}

// sess is the request's session.
func sess(r *http.Request) *session.Session { return sesschi.From(r) }

// fail answers err with demo.Failure's status and JSON body.
func fail(w http.ResponseWriter, err error) {
	status, body := demo.Failure(err)
	demo.WriteJSON(w, status, body)
}

// readBody reads the request body, answering 400 itself when it cannot.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := demo.ReadBody(r.Body)
	if err != nil {
		demo.WriteJSON(w, http.StatusBadRequest, demo.Error{Message: "could not read the body"})
		return nil, false
	}
	return body, true
}
