package session

import "context"

type contextKey struct{}

// LocalsKey is the key adapters store the request's session under in a
// framework's own per-request map (gin.Context.Set, fiber.Ctx.Locals), so
// that FromContext also works on the contexts those frameworks hand out:
// FromContext(c) in Gin, FromContext(c.Context()) in Fiber.
const LocalsKey = "github.com/sesskit/sesskit/core/session.Session"

// NewContext returns a copy of ctx carrying s. Adapters call it; handlers
// use FromContext.
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, contextKey{}, s)
}

// FromContext returns the request's session. It never returns nil: without
// the middleware it returns a Session whose every method fails with
// ErrNoSession, so the mistake shows as an error instead of a panic.
func FromContext(ctx context.Context) *Session {
	if s, ok := fromContext(ctx); ok {
		return s
	}
	return &Session{}
}

func fromContext(ctx context.Context) (*Session, bool) {
	if ctx == nil {
		return nil, false
	}
	if s, ok := ctx.Value(contextKey{}).(*Session); ok && s != nil {
		return s, true
	}
	s, ok := ctx.Value(LocalsKey).(*Session)
	return s, ok && s != nil
}
