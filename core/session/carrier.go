package session

// Carrier moves the session token between the engine and one HTTP exchange.
// Each framework adapter implements it over its own request and response
// types; the engine never sees a framework.
type Carrier interface {
	// Cookie returns the value of the first request cookie with this name,
	// or "" when there is none.
	Cookie(name string) string
	// Header returns the request header with this name, or "".
	Header(name string) string
	// SetHeader replaces a response header.
	SetHeader(name, value string)
	// AddHeader adds a response header (used for Set-Cookie).
	AddHeader(name, value string)
}
