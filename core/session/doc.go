// Package session is the sesskit engine: HTTP sessions kept in a shared
// store, framework-neutral.
//
// A Manager holds a Store (redisstore for production, memstore for tests and
// single-instance development) and the rules: idle and absolute timeouts,
// cookie or header tokens, codec, size limits, failure mode. Per request an
// adapter calls Manager.Begin with a Carrier over its request and response,
// puts the Session in the request context and commits the RequestScope
// before the response headers leave. core/sesshttp does exactly that for
// net/http; the sesskit adapters do it for Gin, Echo, Fiber and Chi.
//
// The engine is lazy and writes deltas: a request that never touches its
// session costs no store call; the first read loads the whole session in
// one call; Commit writes only the keys the request changed, so concurrent
// requests that change different keys keep each other's changes.
//
// Tokens are 32 random bytes (base64url); the store only ever sees their
// SHA-256. A token the store does not know is never adopted: a session that
// needs saving gets a fresh token.
//
// Values are stored through a Codec, JSON by default, each tagged with its
// codec, so a session written by one codec stays readable after a switch to
// another. Get decodes into the type asked for:
//
//	s := session.FromContext(r.Context())
//	theme, err := session.GetOr(s, "theme", "light") // "light" when unset
//	err = s.Set("theme", "dark")
//	n, err := session.Incr(s, "visits", 1)           // atomic in the store
//
// Every session follows the Manager's idle and absolute timeouts unless it
// has a lifetime of its own: Session.SetLifetime, at login say, gives one
// session longer (or shorter) timeouts, scs-style "keep me logged in",
// within the ceilings of WithMaxLifetime (by default the Manager's own
// timeouts, so only an application that raises them gets longer sessions).
// The lifetime is stored with the session, so every instance and both
// stores honour it; a renewal keeps it; its cookie is persistent even with
// WithBrowserSessionCookie; Session.Expires and Session.Lifetime read it.
// Remember-me (WithRememberMe) is the other way to stay logged in, with a
// short session and a separate long-lived token.
package session
