package demo

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// UserConfig configures the per-user features: remember me, the session
// limit, login throttling and the session lifetimes. Zero fields mean the
// defaults, so a Config built by hand needs none of them.
type UserConfig struct {
	Remember     time.Duration // -remember, SESSION_REMEMBER: remember-me lifetime; 0: 720h
	SessionLimit int           // -session-limit, SESSION_LIMIT: sessions per user; 0: unlimited
	LoginLimit   Rate          // -login-limit, LOGIN_LIMIT: login attempts per user and address; zero: 10/1m
	TrustProxy   bool          // -trust-proxy, TRUST_PROXY=1: take the client address from X-Forwarded-For
	Idle         time.Duration // -idle-timeout, SESSION_IDLE_TIMEOUT; 0: the Manager's default (30m)
	Absolute     time.Duration // -absolute-timeout, SESSION_ABSOLUTE_TIMEOUT; 0: the Manager's default (12h)
}

// Defaults of UserConfig's zero fields.
const DefaultRemember = 720 * time.Hour

// DefaultLoginLimit is the login throttle of the contract.
var DefaultLoginLimit = Rate{N: 10, Per: time.Minute}

// Rate is N events per period, written "10/1m".
type Rate struct {
	N   int
	Per time.Duration
}

func (r Rate) String() string {
	if r.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%s", r.N, r.Per)
}

// Set parses "N/duration", as a flag.Value.
func (r *Rate) Set(v string) error {
	n, per, ok := strings.Cut(v, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 1 {
		return fmt.Errorf("%q: want N/duration with N ≥ 1, e.g. 10/1m", v)
	}
	d, err := time.ParseDuration(per)
	if err != nil || d < time.Millisecond {
		return fmt.Errorf("%q: want N/duration with a duration of at least 1ms, e.g. 10/1m", v)
	}
	r.N, r.Per = count, d
	return nil
}

// define adds the flags of u to fs, with defaults from getenv. A bad
// variable is an error.
func (u *UserConfig) define(fs *flag.FlagSet, getenv func(string) string) error {
	var errs []error
	duration := func(p *time.Duration, name, env, usage string) {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				errs = append(errs, fmt.Errorf("%s=%q: want a duration like 720h", env, v))
			}
			*p = d
		}
		fs.DurationVar(p, name, *p, usage+" (env "+env+")")
	}
	duration(&u.Remember, "remember", "SESSION_REMEMBER", "remember-me lifetime (default 720h)")
	duration(&u.Idle, "idle-timeout", "SESSION_IDLE_TIMEOUT", "end sessions unused this long (default 30m)")
	duration(&u.Absolute, "absolute-timeout", "SESSION_ABSOLUTE_TIMEOUT", "end sessions this long after login (default 12h)")

	if v := getenv("SESSION_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("SESSION_LIMIT=%q: want a number", v))
		}
		u.SessionLimit = n
	}
	fs.IntVar(&u.SessionLimit, "session-limit", u.SessionLimit, "sessions per user; a login beyond it ends the oldest; 0: no limit (env SESSION_LIMIT)")

	if v := getenv("LOGIN_LIMIT"); v != "" {
		if err := u.LoginLimit.Set(v); err != nil {
			errs = append(errs, fmt.Errorf("LOGIN_LIMIT=%w", err))
		}
	}
	fs.Var(&u.LoginLimit, "login-limit", "login attempts per user and client address, N/duration (default 10/1m) (env LOGIN_LIMIT)")

	if v := getenv("TRUST_PROXY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("TRUST_PROXY=%q: want 1 or 0", v))
		}
		u.TrustProxy = b
	}
	fs.BoolVar(&u.TrustProxy, "trust-proxy", u.TrustProxy, "take the client address from the last X-Forwarded-For entry (env TRUST_PROXY=1)")
	return errors.Join(errs...)
}

// check refuses values the flags parsed but that make no sense.
func (u *UserConfig) check() error {
	switch {
	case u.Remember < 0, u.Idle < 0, u.Absolute < 0:
		return errors.New("-remember, -idle-timeout and -absolute-timeout must not be negative")
	case u.SessionLimit < 0:
		return errors.New("-session-limit must not be negative")
	}
	return nil
}

// loginLimit is the configured throttle, or the default.
func (u UserConfig) loginLimit() Rate {
	if u.LoginLimit.N == 0 {
		return DefaultLoginLimit
	}
	return u.LoginLimit
}

// options are the Manager options for u.
func (u UserConfig) options() []session.Option {
	remember := u.Remember
	if remember == 0 {
		remember = DefaultRemember
	}
	opts := []session.Option{
		session.WithRememberMe(remember),
		session.WithRememberCookieName(RememberCookieName),
	}
	if u.SessionLimit > 0 {
		opts = append(opts, session.WithSessionLimit(u.SessionLimit, false))
	}
	if u.Idle > 0 {
		opts = append(opts, session.WithIdleTimeout(u.Idle))
	}
	if u.Absolute > 0 {
		opts = append(opts, session.WithAbsoluteTimeout(u.Absolute))
	}
	return opts
}
