package session

import (
	"fmt"
	"log/slog"
	"net/textproto"
	"strings"
	"time"
)

// Defaults, chosen to be safe for a public web application.
const (
	DefaultIdleTimeout      = 30 * time.Minute
	DefaultAbsoluteTimeout  = 12 * time.Hour
	DefaultCookieName       = "session"
	DefaultMaxValueSize     = 128 << 10 // bytes per value, key included
	DefaultMaxSessionSize   = 1 << 20   // bytes per session: keys, values and FieldOverhead per value
	DefaultMaxKeys          = 1000      // values per session
	DefaultRememberLifetime = 30 * 24 * time.Hour
)

// Option configures a Manager.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	idle, absolute, touchInterval time.Duration
	maxIdle, maxAbsolute          time.Duration // ceilings of SetLifetime
	codec                         Codec
	decoders                      []Codec
	cookie                        cookieConfig
	header                        string
	maxValue, maxSession, maxKeys int
	degraded                      bool
	logger                        *slog.Logger
	now                           func() time.Time
	limit                         Limit
	remember                      time.Duration // remember-me lifetime; 0: off
	rememberCookie                cookieConfig
	observer                      Observer
	breakerFailures               int
	breakerCooldown               time.Duration
	breakerSet                    bool
}

// WithIdleTimeout ends a session that has not been used for d (default 30 min).
func WithIdleTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.idle = d })
}

// WithAbsoluteTimeout ends every session d after it began, however busy
// (default 12 h). Renew keeps the deadline.
func WithAbsoluteTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.absolute = d })
}

// WithMaxLifetime sets how long Session.SetLifetime may make one session
// live: idle and absolute are the ceilings of its idle and absolute
// timeouts. The default ceilings are the Manager's own timeouts, so
// SetLifetime can only shorten a session until the application raises
// them: a long-lived session is a choice made once, here, not by a stray
// call. A zero argument keeps that default; a ceiling below the Manager's
// timeout is refused by New. Lowering a ceiling later shortens existing
// sessions that asked for more.
func WithMaxLifetime(idle, absolute time.Duration) Option {
	return optionFunc(func(c *config) { c.maxIdle, c.maxAbsolute = idle, absolute })
}

// WithTouchInterval sets how much idle lifetime a session may use up before a
// read extends it. Larger values mean fewer writes and a session that may
// expire up to d early. Default: a tenth of the idle timeout.
func WithTouchInterval(d time.Duration) Option {
	return optionFunc(func(c *config) { c.touchInterval = d })
}

// WithCodec sets the codec new values are written with (default JSON). Values
// written by JSON and by codecs passed to WithDecoders stay readable.
func WithCodec(codec Codec) Option {
	return optionFunc(func(c *config) { c.codec = codec })
}

// WithDecoders adds codecs the Manager can read but does not write, for a
// migration between codecs in either direction.
func WithDecoders(codecs ...Codec) Option {
	return optionFunc(func(c *config) { c.decoders = append(c.decoders, codecs...) })
}

// WithMaxValueSize refuses values whose key and encoding exceed n bytes.
func WithMaxValueSize(n int) Option {
	return optionFunc(func(c *config) { c.maxValue = n })
}

// WithMaxSessionSize refuses changes that would make a stored session exceed
// n bytes, counting for each value its key, its bytes and FieldOverhead.
func WithMaxSessionSize(n int) Option {
	return optionFunc(func(c *config) { c.maxSession = n })
}

// WithMaxKeys refuses changes that would make a session hold more than n
// values (default 1000). Reading a session costs the store time in
// proportion to its values, so this bounds what one client can make every
// one of its requests cost.
func WithMaxKeys(n int) Option {
	return optionFunc(func(c *config) { c.maxKeys = n })
}

// WithHeaderToken lets clients without the cookie send their token in the
// request header name; their new or renewed tokens come back in the same
// response header instead of a cookie. A client without a token yet sends
// any placeholder value ("new") to choose the header; it gets a fresh
// token when the session is first saved. Destroy answers an empty header.
// Off by default.
func WithHeaderToken(name string) Option {
	return optionFunc(func(c *config) { c.header = name })
}

// WithDegradedMode keeps serving when the store cannot be reached: the
// request gets a fresh session that is never saved and whose Status is
// StatusDegraded. The default is to fail closed through the error handler.
func WithDegradedMode() Option {
	return optionFunc(func(c *config) { c.degraded = true })
}

// WithLogger sets where store failures and corrupt sessions are reported
// (default slog.Default()). Tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// WithSessionLimit keeps at most n sessions per user: a login beyond it
// revokes the user's oldest session, or with refuse fails (Commit returns
// ErrTooManySessions, which adapters answer with 409 unless the app's
// error handler says otherwise) and changes nothing. Remember-me tokens do
// not count. The store must be a UserStore.
func WithSessionLimit(n int, refuse bool) Option {
	return optionFunc(func(c *config) { c.limit = Limit{Max: n, Refuse: refuse} })
}

// WithRememberMe turns remember-me on: Session.Remember at login issues a
// long-lived token (lifetime, 30 days when zero) in its own cookie, while
// the session stays short-lived. A later request with no live session but
// that cookie gets a fresh session for the same user (Session.Restored
// reports it) and a rotated token; a token presented after it was rotated
// (RememberGrace later) is a stolen copy, and revokes every session and
// token of its user. The
// cookie is "__Host-remember" when the session cookie is Secure with Path=/
// and no Domain, else "remember", with the session cookie's attributes;
// WithRememberCookieName changes its name. The store must be a UserStore.
func WithRememberMe(lifetime time.Duration) Option {
	return optionFunc(func(c *config) {
		if lifetime == 0 {
			lifetime = DefaultRememberLifetime
		}
		c.remember = lifetime
	})
}

// WithRememberCookieName sets the name of the remember-me cookie.
func WithRememberCookieName(name string) Option {
	return optionFunc(func(c *config) { c.rememberCookie.name = name })
}

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(c *config) { c.now = now })
}

func newConfig(opts []Option) (config, error) {
	c := config{cookie: defaultCookie()}
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.idle == 0 {
		c.idle = DefaultIdleTimeout
	}
	if c.absolute == 0 {
		c.absolute = DefaultAbsoluteTimeout
	}
	if c.maxIdle == 0 {
		c.maxIdle = c.idle
	}
	if c.maxAbsolute == 0 {
		c.maxAbsolute = c.absolute
	}
	if c.touchInterval == 0 {
		c.touchInterval = c.idle / 10
	}
	if c.codec == nil {
		c.codec = JSON{}
	}
	if c.maxValue == 0 {
		c.maxValue = DefaultMaxValueSize
	}
	if c.maxSession == 0 {
		c.maxSession = DefaultMaxSessionSize
	}
	if c.maxKeys == 0 {
		c.maxKeys = DefaultMaxKeys
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	if !c.breakerSet {
		c.breakerFailures, c.breakerCooldown = DefaultBreakerFailures, DefaultBreakerCooldown
	}
	rememberName := c.rememberCookie.name
	c.rememberCookie = c.cookie
	c.rememberCookie.browserSession = false
	switch {
	case rememberName != "":
		c.rememberCookie.name = rememberName
	case c.cookie.secure && c.cookie.path == "/" && c.cookie.domain == "":
		c.rememberCookie.name = "__Host-remember"
	default:
		c.rememberCookie.name = "remember"
	}
	return c, c.validate()
}

func (c *config) validate() error {
	switch {
	case c.idle < time.Millisecond:
		return invalid("idle timeout %v is below 1ms", c.idle)
	case c.absolute < time.Millisecond:
		return invalid("absolute timeout %v is below 1ms", c.absolute)
	case c.maxIdle < c.idle || c.maxAbsolute < c.absolute:
		return invalid("lifetime ceilings %v/%v are below the timeouts %v/%v", c.maxIdle, c.maxAbsolute, c.idle, c.absolute)
	case c.touchInterval < 0 || c.touchInterval >= c.idle:
		return invalid("touch interval %v must lie in [0, idle timeout)", c.touchInterval)
	case c.maxValue < 0 || c.maxSession < 0 || c.maxKeys < 0:
		return invalid("size limits must be positive")
	case c.maxSession < c.maxValue:
		return invalid("max session size %d is below max value size %d", c.maxSession, c.maxValue)
	case c.header != "" && !validHeaderName(c.header):
		return invalid("header name %q (a canonical name that is not a standard request or response header)", c.header)
	}
	if err := c.cookie.validate(); err != nil {
		return err
	}
	switch {
	case c.breakerFailures < 0 || c.breakerFailures > 0 && c.breakerCooldown <= 0:
		return invalid("breaker of %d failures and a cooldown of %v", c.breakerFailures, c.breakerCooldown)
	case c.limit.Max < 0:
		return invalid("session limit %d is negative", c.limit.Max)
	case c.remember < 0:
		return invalid("remember-me lifetime %v is negative", c.remember)
	case c.remember > 0 && c.rememberCookie.name == c.cookie.name:
		return invalid("the remember-me cookie needs a name of its own")
	}
	if c.remember > 0 {
		if err := c.rememberCookie.validate(); err != nil {
			return err
		}
	}
	seen := map[byte]string{}
	for _, codec := range append([]Codec{JSON{}, c.codec}, c.decoders...) {
		if codec == nil {
			return invalid("nil codec")
		}
		if reservedTag(codec.Tag()) {
			return invalid("codec %s uses reserved tag %#x", codec.Name(), codec.Tag())
		}
		if name, ok := seen[codec.Tag()]; ok && name != codec.Name() {
			return invalid("codecs %s and %s share tag %#x", name, codec.Name(), codec.Tag())
		}
		seen[codec.Tag()] = codec.Name()
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidOption}, args...)...)
}

// validHeaderName accepts a canonical header name of the application's
// own: a standard header would carry tokens into logs and caches, or break
// HTTP (Set-Cookie, Cookie, Authorization, Location...).
func validHeaderName(name string) bool {
	if name != textproto.CanonicalMIMEHeaderKey(name) || strings.ContainsAny(name, " \t\r\n:") {
		return false
	}
	_, standard := standardHeaders[name]
	return !standard && !strings.HasPrefix(name, "Sec-") && !strings.HasPrefix(name, "Proxy-") &&
		!strings.HasPrefix(name, "Access-Control-") && !strings.HasPrefix(name, "Content-")
}

// standardHeaders are names WithHeaderToken refuses.
var standardHeaders = map[string]struct{}{
	"Accept": {}, "Accept-Encoding": {}, "Accept-Language": {}, "Accept-Ranges": {}, "Age": {},
	"Allow": {}, "Alt-Svc": {}, "Authorization": {}, "Cache-Control": {}, "Connection": {},
	"Cookie": {}, "Date": {}, "Etag": {}, "Expect": {}, "Expires": {}, "Forwarded": {},
	"From": {}, "Host": {}, "If-Match": {}, "If-Modified-Since": {}, "If-None-Match": {},
	"If-Range": {}, "If-Unmodified-Since": {}, "Keep-Alive": {}, "Last-Modified": {},
	"Link": {}, "Location": {}, "Max-Forwards": {}, "Origin": {}, "Pragma": {}, "Range": {},
	"Referer": {}, "Refresh": {}, "Retry-After": {}, "Server": {}, "Set-Cookie": {},
	"Strict-Transport-Security": {}, "Te": {}, "Trailer": {}, "Transfer-Encoding": {},
	"Upgrade": {}, "User-Agent": {}, "Vary": {}, "Via": {}, "Www-Authenticate": {},
	"X-Forwarded-For": {}, "X-Forwarded-Host": {}, "X-Forwarded-Proto": {}, "X-Real-Ip": {},
}
