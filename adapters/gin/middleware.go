package sessgin

import (
	"github.com/gin-gonic/gin"
	"github.com/sesskit/sesskit/core/session"
)

// Middleware returns Gin middleware that gives every request its session
// and saves it before the first byte of the response. Install it after
// gin.Recovery (gin.Default does), so a panicking handler's changes are
// discarded.
func Middleware(m *session.Manager, opts ...Option) gin.HandlerFunc {
	cfg := newConfig(opts)
	return func(c *gin.Context) {
		s := m.Begin(c.Request.Context(), session.HTTPCarrier{Request: c.Request, Writer: c.Writer})
		ctx := session.NewContext(c.Request.Context(), s)
		c.Request = c.Request.WithContext(ctx)
		w := &commitWriter{
			ResponseWriter: c.Writer, c: c, ctx: ctx, s: s,
			errorHandler: cfg.errorHandler, encoding: c.Writer.Header().Get("Content-Encoding"),
		}
		c.Writer = w
		// A flag, not recover: the panic goes on to gin.Recovery
		// untouched, and runtime.Goexit is covered too.
		finished := false
		defer func() {
			if !finished {
				s.Discard()
			}
		}()
		c.Next()
		finished = true
		// Gin sends the headers of a response nobody wrote only after the
		// chain, through its own writer: commit now, while they can change.
		w.commitOnce()
	}
}

// From returns the request's session. It never returns nil: without the
// middleware it returns a Session whose every method fails with
// session.ErrNoSession. Handlers may also use
// session.FromContext(c.Request.Context()), or session.FromContext(c) when
// the engine has ContextWithFallback set.
func From(c *gin.Context) *session.Session {
	return session.FromContext(c.Request.Context())
}
