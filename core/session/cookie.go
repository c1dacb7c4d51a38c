package session

import (
	"net/http"
	"strings"
	"time"
)

// Cookie options. The defaults are HttpOnly, Secure, SameSite=Lax, Path=/,
// name "session", expiring with the session's absolute deadline.

// WithCookieName sets the cookie name. Names starting with "__Host-" or
// "__Secure-" get the browser checks those prefixes promise, and New refuses
// options that would break them.
func WithCookieName(name string) Option {
	return optionFunc(func(c *config) { c.cookie.name = name })
}

// WithCookieDomain sets the cookie's Domain (default: host-only).
func WithCookieDomain(domain string) Option {
	return optionFunc(func(c *config) { c.cookie.domain = domain })
}

// WithCookiePath sets the cookie's Path (default "/").
func WithCookiePath(path string) Option {
	return optionFunc(func(c *config) { c.cookie.path = path })
}

// WithCookieSameSite sets the SameSite attribute (default Lax). SameSite=None
// requires a Secure cookie.
func WithCookieSameSite(s http.SameSite) Option {
	return optionFunc(func(c *config) { c.cookie.sameSite = s })
}

// WithInsecureCookie drops the Secure flag, for plain-HTTP development only.
func WithInsecureCookie() Option {
	return optionFunc(func(c *config) { c.cookie.secure = false })
}

// WithCookiePartitioned sets the Partitioned attribute (CHIPS) for sessions
// in third-party embeds. Requires a Secure cookie.
func WithCookiePartitioned() Option {
	return optionFunc(func(c *config) { c.cookie.partitioned = true })
}

// WithBrowserSessionCookie sends the cookie without Max-Age, so the browser
// drops it when it closes. By default it lives until the absolute deadline.
func WithBrowserSessionCookie() Option {
	return optionFunc(func(c *config) { c.cookie.browserSession = true })
}

type cookieConfig struct {
	name, domain, path string
	sameSite           http.SameSite
	secure             bool
	partitioned        bool
	browserSession     bool
}

func defaultCookie() cookieConfig {
	return cookieConfig{name: DefaultCookieName, path: "/", sameSite: http.SameSiteLaxMode, secure: true}
}

func (c cookieConfig) validate() error {
	probe := &http.Cookie{Name: c.name, Value: "x", Path: c.path, Domain: c.domain}
	switch {
	case c.name == "" || probe.Valid() != nil:
		return invalid("cookie name %q, path %q or domain %q", c.name, c.path, c.domain)
	case c.sameSite == http.SameSiteNoneMode && !c.secure:
		return invalid("SameSite=None cookies must be Secure")
	case c.partitioned && !c.secure:
		return invalid("Partitioned cookies must be Secure")
	case hasPrefixFold(c.name, "__Secure-") && !c.secure:
		return invalid("__Secure- cookies must be Secure")
	case hasPrefixFold(c.name, "__Host-") && (!c.secure || c.path != "/" || c.domain != ""):
		// Browsers match the prefixes without regard to case (RFC 6265bis).
		return invalid("__Host- cookies must be Secure, with Path=/ and no Domain")
	}
	return nil
}

// issue returns the Set-Cookie value carrying token until deadline; a
// persistent one (a session with its own lifetime) has a Max-Age even with
// WithBrowserSessionCookie.
func (c cookieConfig) issue(token string, now, deadline time.Time, persistent bool) string {
	hc := c.base(token)
	if !c.browserSession || persistent {
		hc.MaxAge = max(int(deadline.Sub(now)/time.Second), 1)
	}
	return hc.String()
}

// expire returns the Set-Cookie value that removes the cookie.
func (c cookieConfig) expire() string {
	hc := c.base("")
	hc.MaxAge = -1
	return hc.String()
}

func (c cookieConfig) base(value string) *http.Cookie {
	return &http.Cookie{
		Name: c.name, Value: value, Path: c.path, Domain: c.domain,
		Secure: c.secure, HttpOnly: true, SameSite: c.sameSite, Partitioned: c.partitioned,
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
