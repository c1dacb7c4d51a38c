// Package sessgin plugs sesskit sessions into Gin.
//
//	r := gin.New()
//	r.Use(gin.Recovery())            // outside the session middleware
//	r.Use(sessgin.Middleware(m))     // m is a *session.Manager
//	r.GET("/", func(c *gin.Context) {
//		s := sessgin.From(c) // or session.FromContext(c.Request.Context())
//		n, _ := session.Incr(s, "visits", 1)          // atomic in the store
//		theme, _ := session.GetOr(s, "theme", "light") // "light" when unset
//		c.JSON(http.StatusOK, gin.H{"visits": n, "theme": theme})
//	})
//
// # When the session is saved
//
// The middleware wraps c.Writer and commits the session (saves the changes,
// sets the cookie) when the response starts: at the first Write,
// WriteString, WriteHeaderNow, Flush or Hijack, so streamed responses
// (c.Stream, c.SSEvent, Flush) and redirects carry the cookie too. A handler that writes
// nothing is committed when the chain returns, before Gin sends the header.
//
// A handler that panics gets nothing saved and no Set-Cookie. For that,
// install gin.Recovery (or CustomRecovery) before (outside) this middleware,
// so the panic passes through it; gin.Default does. A recovery middleware
// installed after (inside) it turns the panic into an ordinary 500, which is
// committed like any other response.
//
// # Failures
//
// When the commit fails (the store is unreachable and the session was read
// in fail-closed mode, or the session grew beyond its size limit), the error
// handler answers in place of the handler's response and the chain is
// aborted; the handler's writes are dropped from then on (they return an
// error), and so are the headers that described its body (Content-Length,
// ETag, Content-Disposition, ...). The default records the error with c.Error, for the logger, and
// answers session.ErrorStatus(err) (503, 409 or 413) with the status text only,
// never the error or a token. Change it with WithErrorHandler.
package sessgin
