package sessecho

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/sesskit/sesskit/core/session"
)

// Middleware returns Echo middleware that gives every request its session
// and saves it before the first byte of the response. Install it after
// middleware.Recover, so a panicking handler's changes are discarded.
func Middleware(m *session.Manager, opts ...Option) echo.MiddlewareFunc {
	cfg := newConfig(opts)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if cfg.skipper(c) {
				return next(c)
			}
			req, res := c.Request(), c.Response()
			s := m.Begin(req.Context(), session.HTTPCarrier{Request: req, Writer: res.Writer})
			ctx := session.NewContext(req.Context(), s)
			c.SetRequest(req.WithContext(ctx))
			w := &commitWriter{ResponseWriter: res.Writer, s: s, ctx: ctx, encoding: res.Header().Get(echo.HeaderContentEncoding)}
			res.Writer = w
			// A flag, not recover: the panic goes on to middleware.Recover
			// untouched, and runtime.Goexit is covered too.
			finished := false
			defer func() {
				if !finished {
					s.Discard()
					res.Writer = w.ResponseWriter
				}
			}()
			err := next(c)
			finished = true
			// A handler that wrote nothing (it returned an error, say) is
			// committed now, before Echo's HTTPErrorHandler writes.
			w.commitOnce()
			res.Writer = w.ResponseWriter
			if w.err == nil {
				return err
			}
			// The handler's response never left: forget it, so that the
			// HTTPErrorHandler, which skips committed responses, answers.
			res.Committed, res.Size, res.Status = false, 0, http.StatusOK
			session.ClearBodyHeaders(res.Header(), w.encoding)
			return cfg.errorHandler(c, w.err)
		}
	}
}

// From returns the request's session. It never returns nil: without the
// middleware it returns a Session whose every method fails with
// session.ErrNoSession. Handlers may also use
// session.FromContext(c.Request().Context()).
func From(c echo.Context) *session.Session {
	return session.FromContext(c.Request().Context())
}
