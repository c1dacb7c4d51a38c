package sessfiberv3

import (
	"github.com/gofiber/fiber/v3"
	"github.com/sesskit/sesskit/core/session"
)

// Middleware returns the Fiber middleware that gives every request its
// session and saves it after the handler chain returns, before Fiber writes
// the response. See the package documentation for errors and panics.
//
// It panics when m is nil: that is a wiring mistake, best seen at startup.
func Middleware(m *session.Manager, opts ...Option) fiber.Handler {
	if m == nil {
		panic("sessfiberv3: Middleware: nil *session.Manager")
	}
	cfg := newConfig(opts)
	return func(c fiber.Ctx) error {
		if cfg.next != nil && cfg.next(c) {
			return c.Next()
		}
		ctx := c.Context()
		scope, nested := m.Begin(ctx, Carrier{Ctx: c})
		if nested {
			return c.Next()
		}
		// Locals are fasthttp's user values, which c.Value reads: c is a
		// context.Context, so session.FromContext(c) works as well as From(c).
		// Set directly: c.Locals through the Ctx interface allocates its
		// variadic argument on every request.
		s := scope.Session()
		c.RequestCtx().SetUserValue(session.LocalsKey, s)
		c.SetContext(session.NewContext(ctx, s))
		var err error
		scope.Run(func() { err = c.Next() })
		if cerr := scope.Commit(ctx); cerr != nil {
			return cfg.errorHandler(c, cerr)
		}
		return err
	}
}

// From returns the session of the request. It never returns nil: without
// the middleware (or when WithNext skipped it) the session's methods fail
// with session.ErrNoSession. session.FromContext(c) and
// session.FromContext(c.Context()) return the same session.
func From(c fiber.Ctx) *session.Session {
	if s, ok := c.Locals(session.LocalsKey).(*session.Session); ok {
		return s
	}
	return session.FromContext(c.Context())
}
