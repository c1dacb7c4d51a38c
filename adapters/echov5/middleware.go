package sessechov5

import (
	"github.com/labstack/echo/v5"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// Middleware returns Echo middleware that gives every request its session
// and saves it before the first byte of the response. Install it after
// middleware.Recover, so a panicking handler's changes are discarded. It
// panics when m is nil, at construction rather than on the first request.
//
// The commit runs in a sesshttp.Writer put in front of c.Response() with
// c.SetResponse, the way Echo's own compress middleware wraps it; it
// unwraps to the *echo.Response. Not a Response.Before hook: a Before hook
// cannot stop the handler's body from following an error status, and
// Response.Flush skips the hooks.
func Middleware(m *session.Manager, opts ...Option) echo.MiddlewareFunc {
	if m == nil {
		panic("sessechov5: Middleware: nil *session.Manager")
	}
	cfg := newConfig(opts)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if cfg.skipper(c) {
				return next(c)
			}
			req, res := c.Request(), c.Response()
			scope, nested := m.Begin(req.Context(), sesshttp.Carrier{Request: req, Writer: res})
			if nested {
				return next(c)
			}
			ctx := session.NewContext(req.Context(), scope.Session())
			c.SetRequest(req.WithContext(ctx))
			w := sesshttp.NewWriter(res, scope, ctx, nil)
			c.SetResponse(w)
			defer c.SetResponse(res) // also when next panics
			var err error
			scope.Run(func() { err = next(c) })
			// A handler that wrote nothing (it returned an error, say) is
			// committed now, before Echo's HTTPErrorHandler writes.
			_ = w.Start()
			c.SetResponse(res)
			if w.Err() == nil {
				return err
			}
			// The handler's response never reached res: the
			// HTTPErrorHandler, which skips committed responses, answers.
			return cfg.errorHandler(c, w.Err())
		}
	}
}

// From returns the request's session. It never returns nil: without the
// middleware it returns a Session whose every method fails with
// session.ErrNoSession. Handlers may also use
// session.FromContext(c.Request().Context()).
func From(c *echo.Context) *session.Session {
	return session.FromContext(c.Request().Context())
}
