package sessfiber

import (
	"github.com/gofiber/fiber/v2"
	"github.com/sesskit/sesskit/core/session"
)

// localsKey is the c.Locals key of the request's session.
type localsKey struct{}

// Middleware returns the Fiber middleware that gives every request its
// session and saves it after the handler chain returns, before Fiber writes
// the response. See the package documentation for errors and panics.
//
// It panics when m is nil: that is a wiring mistake, best seen at startup.
func Middleware(m *session.Manager, opts ...Option) fiber.Handler {
	if m == nil {
		panic("sessfiber: Middleware: nil *session.Manager")
	}
	cfg := newConfig(opts)
	return func(c *fiber.Ctx) error {
		if cfg.next != nil && cfg.next(c) {
			return c.Next()
		}
		ctx := c.UserContext()
		s := m.Begin(ctx, Carrier{Ctx: c})
		c.Locals(localsKey{}, s)
		c.SetUserContext(session.NewContext(ctx, s))

		// No recover: a panic must keep its own stack for whoever recovers
		// it. Returning normally is the only way past this flag.
		returned := false
		defer func() {
			if !returned {
				s.Discard()
			}
		}()
		err := c.Next()
		returned = true

		if cerr := s.Commit(ctx); cerr != nil {
			return cfg.errorHandler(c, cerr)
		}
		return err
	}
}

// From returns the session of the request. It never returns nil: without
// the middleware (or when WithNext skipped it) the session's methods fail
// with session.ErrNoSession.
func From(c *fiber.Ctx) *session.Session {
	if s, ok := c.Locals(localsKey{}).(*session.Session); ok {
		return s
	}
	return session.FromContext(c.UserContext())
}
