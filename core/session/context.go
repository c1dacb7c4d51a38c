package session

import "context"

type contextKey struct{}

// NewContext returns a copy of ctx carrying s. Adapters call it; handlers
// use FromContext.
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, contextKey{}, s)
}

// FromContext returns the request's session. It never returns nil: without
// the middleware it returns a Session whose every method fails with
// ErrNoSession, so the mistake shows as an error instead of a panic.
func FromContext(ctx context.Context) *Session {
	if s, ok := ctx.Value(contextKey{}).(*Session); ok {
		return s
	}
	return &Session{}
}
