package sesshttp

import (
	"net/http"

	"github.com/sesskit/sesskit/core/session"
)

// Middleware returns net/http middleware that attaches the request's
// session to the request context and commits it before the first byte of
// the response, whether the handler writes, flushes, or returns without
// writing. When the handler panics (or calls runtime.Goexit) the session is
// discarded and the panic goes on untouched. Install it after a recovering
// middleware. It panics when m is nil, at construction rather than on the
// first request.
func Middleware(m *session.Manager, opts ...Option) func(http.Handler) http.Handler {
	if m == nil {
		panic("sesshttp: Middleware: nil *session.Manager")
	}
	cfg := newConfig(opts)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			scope, nested := m.Begin(r.Context(), Carrier{Request: r, Writer: w})
			if nested {
				next.ServeHTTP(w, r)
				return
			}
			r = r.WithContext(session.NewContext(r.Context(), scope.Session()))
			sw := NewWriter(w, scope, r.Context(), func(w http.ResponseWriter, err error) {
				cfg.errorHandler(w, r, err)
			})
			scope.Run(func() { next.ServeHTTP(sw, r) })
			_ = sw.Start()
		})
	}
}

// Option configures Middleware.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	errorHandler func(w http.ResponseWriter, r *http.Request, err error)
}

// WithErrorHandler sets what answers when the session cannot be loaded (in
// fail-closed mode) or saved. It runs in place of the handler's response,
// whose writes are dropped. The default answers session.ErrorStatus(err)
// (503, 409 or 413) with its status text, never the error itself, which
// may name store addresses.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return optionFunc(func(c *config) { c.errorHandler = h })
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.errorHandler == nil {
		c.errorHandler = DefaultErrorHandler
	}
	return c
}

// DefaultErrorHandler answers session.ErrorStatus(err) with its status text.
func DefaultErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	status := session.ErrorStatus(err)
	http.Error(w, http.StatusText(status), status)
}
