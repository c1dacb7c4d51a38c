package sessgin

import (
	"github.com/gin-gonic/gin"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// Middleware returns Gin middleware that gives every request its session
// and saves it before the first byte of the response. Install it after
// gin.Recovery (gin.Default does), so a panicking handler's changes are
// discarded. It panics when m is nil, at construction rather than on the
// first request.
func Middleware(m *session.Manager, opts ...Option) gin.HandlerFunc {
	if m == nil {
		panic("sessgin: Middleware: nil *session.Manager")
	}
	cfg := newConfig(opts)
	return func(c *gin.Context) {
		scope, nested := m.Begin(c.Request.Context(), sesshttp.Carrier{Request: c.Request, Writer: c.Writer})
		if nested {
			c.Next()
			return
		}
		s := scope.Session()
		ctx := session.NewContext(c.Request.Context(), s)
		c.Request = c.Request.WithContext(ctx)
		c.Set(session.LocalsKey, s) // session.FromContext(c) works without ContextWithFallback
		w := &writer{ResponseWriter: c.Writer, c: c, errorHandler: cfg.errorHandler}
		w.commit = sesshttp.NewWriter(c.Writer, scope, ctx, w.fail)
		c.Writer = w
		scope.Run(c.Next)
		// Gin sends the headers of a response nobody wrote only after the
		// chain, through its own writer: commit now, while they can change.
		_ = w.commit.Start()
	}
}

// From returns the request's session. It never returns nil: without the
// middleware it returns a Session whose every method fails with
// session.ErrNoSession. session.FromContext(c) and
// session.FromContext(c.Request.Context()) return the same session.
func From(c *gin.Context) *session.Session {
	return session.FromContext(c.Request.Context())
}
