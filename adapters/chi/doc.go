// Package sesschi plugs sesskit sessions into chi.
//
//	r := chi.NewRouter()
//	r.Use(middleware.Recoverer)   // outside the session middleware
//	r.Use(sesschi.Middleware(m))  // m is a *session.Manager
//	r.Post("/visits", func(w http.ResponseWriter, r *http.Request) {
//		s := sesschi.From(r) // or session.FromContext(r.Context())
//		n, _ := session.Incr(s, "visits", 1)          // atomic in the store
//		theme, _ := session.GetOr(s, "theme", "light") // "light" when unset
//		fmt.Fprintln(w, n, theme)
//	})
//
// chi middleware is plain net/http middleware, so this package is the
// net/http middleware of core/sesshttp under a chi-shaped name, plus From. Install it
// on the root router, on a group (r.Group, r.Route) or on one route
// (r.With) to limit sessions to the routes that need them.
//
// # When the session is saved
//
// The middleware wraps the ResponseWriter and commits the session (saves
// the changes, sets the cookie or token header) when the response starts:
// at the first Write, WriteHeader or Flush, so streamed responses and
// redirects carry the cookie too. A handler that writes nothing is committed
// when it returns. http.ResponseController reaches the connection (Flush,
// Hijack, deadlines) through the wrapper's Unwrap.
//
// Order the middleware like this:
//
//	r.Use(middleware.Recoverer)      // outside: panics discard the session
//	r.Use(middleware.Compress(5))    // outside: error answers stay readable
//	r.Use(sesschi.Middleware(m))
//
// A compressor inside the session middleware has already announced
// Content-Encoding when a failed commit makes the error handler answer, so
// that answer would go out with a Content-Encoding it does not have.
//
// A handler that panics gets nothing saved and no Set-Cookie. For that,
// install middleware.Recoverer before (outside) this middleware, so the
// panic passes through it. A recoverer installed after (inside) it turns the
// panic into an ordinary 500, which is committed like any other response.
//
// # Failures
//
// When the commit fails (the store is unreachable and the session was read
// in fail-closed mode, or the session grew beyond its size limit), the
// Manager's error handler answers in place of the handler's response, and
// the handler's later writes return an error. The default answers
// session.ErrorStatus(err) (503 or 413) with the status text only, never
// the error or a token; set another with session.WithErrorHandler.
package sesschi
