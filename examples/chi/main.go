// Command chi is the sesskit demo app on chi. From the repository root:
//
//	go run ./examples/chi                                # in-process store
//	go run ./examples/chi -redis redis://127.0.0.1:6379/0
//
// Every route and flag is in examples/README.md.
package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	sesschi "github.com/sesskit/sesskit/adapters/chi"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/examples/internal/demo"
)

func main() {
	app := demo.Start("chi")

	r := chi.NewRouter()
	r.Use(middleware.Recoverer) // outside the sessions: a panic saves nothing
	r.Use(sesschi.Middleware(app.Manager, sesschi.WithErrorHandler(demo.WriteHTTPError)))
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
			status, body := demo.CountVisit(sess(r))
			demo.WriteJSON(w, status, body)
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
			if in, ok := readBody(w, r); ok {
				status, body, retryAfter := app.Login(r.Context(), sess(r), r, in)
				if retryAfter != "" {
					w.Header().Set("Retry-After", retryAfter)
				}
				demo.WriteJSON(w, status, body)
			}
		})
		r.Post("/logout", func(w http.ResponseWriter, r *http.Request) {
			status, body := demo.Logout(r.Context(), sess(r))
			demo.WriteJSON(w, status, body)
		})
		r.Post("/cart", func(w http.ResponseWriter, r *http.Request) {
			if in, ok := readBody(w, r); ok {
				status, body := demo.AddToCart(sess(r), in)
				demo.WriteJSON(w, status, body)
			}
		})
		r.Post("/flash", func(w http.ResponseWriter, r *http.Request) {
			if in, ok := readBody(w, r); ok {
				status, body := demo.AddFlash(sess(r), in)
				demo.WriteJSON(w, status, body)
			}
		})
		r.Get("/flash", func(w http.ResponseWriter, r *http.Request) {
			status, body := demo.PopFlash(sess(r))
			demo.WriteJSON(w, status, body)
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

// readBody reads the request body, answering 400 itself when it cannot.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := demo.ReadBody(r.Body)
	if err != nil {
		demo.WriteJSON(w, http.StatusBadRequest, demo.Error{Message: "could not read the body"})
		return nil, false
	}
	return body, true
}
