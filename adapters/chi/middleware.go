package sesschi

import (
	"net/http"

	"github.com/sesskit/sesskit/core/session"
)

// Middleware returns chi middleware that gives every request its session
// and saves it before the first byte of the response. It is the engine's
// net/http middleware, m.Middleware; chi needs nothing more. Install it
// after middleware.Recoverer, so a panicking handler's changes are
// discarded. It panics when m is nil, at construction rather than on the
// first request.
func Middleware(m *session.Manager) func(http.Handler) http.Handler {
	if m == nil {
		panic("sesschi: Middleware: nil *session.Manager")
	}
	return m.Middleware
}

// From returns the request's session. It never returns nil: without the
// middleware it returns a Session whose every method fails with
// session.ErrNoSession. It is session.FromContext(r.Context()).
func From(r *http.Request) *session.Session {
	return session.FromContext(r.Context())
}
