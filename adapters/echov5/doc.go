// Package sessechov5 plugs sesskit sessions into Echo v5.
//
//	e := echo.New()
//	e.Use(middleware.Recover())       // outside the session middleware
//	e.Use(sessechov5.Middleware(m))   // m is a *session.Manager
//	e.GET("/", func(c *echo.Context) error {
//		s := sessechov5.From(c) // or session.FromContext(c.Request().Context())
//		n, err := session.Incr(s, "visits", 1) // atomic in the store
//		if err != nil {
//			return err
//		}
//		return c.JSON(http.StatusOK, map[string]int64{"visits": n})
//	})
//
// For Echo v4, use github.com/sesskit/sesskit/adapters/echo.
//
// # When the session is saved
//
// The middleware puts a committing writer in front of c.Response() and
// commits the session (saves the changes, sets the cookie) when the
// response starts: at the first WriteHeader, Write, Flush or Hijack, so
// streamed responses, redirects and NoContent carry the cookie too. A
// handler that writes nothing, typically because it returned an error, is
// committed when it returns, before Echo's HTTPErrorHandler writes the
// error page: the page carries the cookie and the session changes are
// saved, as for any other response.
//
// Write to c.Response(), not to the *echo.Response that echo.UnwrapResponse
// digs out of it: bytes written there pass the session by.
//
// A handler that panics gets nothing saved and no Set-Cookie. For that,
// install middleware.Recover before (outside) this middleware, so the panic
// passes through it. A Recover installed after (inside) it turns the panic
// into an ordinary error response, which is committed like any other.
//
// # Failures
//
// When the commit fails (the store is unreachable and the session was read
// in fail-closed mode, or the session grew beyond its size limit), nothing
// of the handler's response reaches the client: its writes return an error,
// the headers that described its body (Content-Length, ETag, ...) are
// dropped, and when it returns, the middleware returns an *echo.HTTPError
// with status session.ErrorStatus(err) (503, 409 or 413) in place of the
// handler's own result, for the application's HTTPErrorHandler to render.
// Its message is the status text; the session error is wrapped inside,
// which Echo's default HTTPErrorHandler shows only when built with
// exposeError. Change this with WithErrorHandler.
package sessechov5
