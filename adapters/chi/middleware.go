package sesschi

import (
	"net/http"

	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// Middleware returns chi middleware that gives every request its session
// and saves it before the first byte of the response: sesshttp.Middleware,
// as chi needs nothing more. Install it after middleware.Recoverer, so a
// panicking handler's changes are discarded. Mounted again on a
// sub-router, it reuses the session of the outer one. It panics when m is
// nil, at construction rather than on the first request.
func Middleware(m *session.Manager, opts ...Option) func(http.Handler) http.Handler {
	if m == nil {
		panic("sesschi: Middleware: nil *session.Manager")
	}
	return sesshttp.Middleware(m, opts...)
}

// Option configures Middleware.
type Option = sesshttp.Option

// WithErrorHandler sets what answers when the session cannot be loaded (in
// fail-closed mode) or saved. It runs in place of the handler's response,
// whose writes are dropped. The default answers session.ErrorStatus(err)
// (503, 409 or 413) with its status text, never the error itself.
func WithErrorHandler(h func(w http.ResponseWriter, r *http.Request, err error)) Option {
	return sesshttp.WithErrorHandler(h)
}

// From returns the request's session. It never returns nil: without the
// middleware it returns a Session whose every method fails with
// session.ErrNoSession. It is session.FromContext(r.Context()).
func From(r *http.Request) *session.Session {
	return session.FromContext(r.Context())
}
