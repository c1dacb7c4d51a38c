package demo

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Login throttling: at most Rate.N attempts per user name and client
// address in a fixed window of Rate.Per, counted in Redis when the demo has
// one (so every instance shares the count) and in memory otherwise.

// LoginAllowed counts one login attempt for user from the client address; ok=false means answer 429 with Retry-After = retryAfter (whole seconds, at least 1).
func (a *App) LoginAllowed(ctx context.Context, user string, r *http.Request) (retryAfter time.Duration, ok bool, err error) {
	return a.logins.allow(ctx, attemptKey(user, clientAddr(r, a.Config.Users.TrustProxy)))
}

// MsgTooManyLogins is the error message of a throttled login.
const MsgTooManyLogins = "too many login attempts"

// TooManyLogins is the reply of a throttled login: 429
// {"error":"too many login attempts"}. The caller adds the header
// Retry-After: RetryAfter(retryAfter).
func TooManyLogins() (int, any) { return fail(http.StatusTooManyRequests, MsgTooManyLogins) }

// RetryAfter is the Retry-After header value for d: whole seconds, rounded
// up, at least 1.
func RetryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// clientAddr is the client's IP address: the connection's, or with
// trustProxy the last X-Forwarded-For entry, the one the proxy in front of
// the app added (earlier entries come from the client and prove nothing).
func clientAddr(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			entries := strings.Split(xff[len(xff)-1], ",")
			if last := strings.TrimSpace(entries[len(entries)-1]); last != "" {
				return last
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// attemptKey names the counter of user from addr: hashed, so any user name
// makes a short key and none shows in a key listing.
func attemptKey(user, addr string) string {
	sum := sha256.Sum256([]byte(user + "\x00" + addr))
	return base64.RawURLEncoding.EncodeToString(sum[:18])
}

// throttle counts attempts per key in fixed windows.
type throttle struct {
	rate Rate
	rdb  redis.UniversalClient // nil: count in memory

	mu      sync.Mutex
	windows map[string]window
	calls   int
}

type window struct {
	count int
	ends  time.Time
}

func newThrottle(rate Rate, rdb redis.UniversalClient) *throttle {
	return &throttle{rate: rate, rdb: rdb, windows: map[string]window{}}
}

// throttleKeyPrefix is where the counters live in Redis: one key per user
// and address, so a Cluster spreads them and each script touches one slot.
const throttleKeyPrefix = "sesskit-demo:login:"

// countScript adds one to the counter and starts its window on the first
// attempt; it returns the count and the milliseconds left in the window.
var countScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`)

func (t *throttle) allow(ctx context.Context, key string) (time.Duration, bool, error) {
	if t.rdb == nil {
		return t.allowInMemory(key, time.Now())
	}
	res, err := countScript.Run(ctx, t.rdb, []string{throttleKeyPrefix + key}, t.rate.Per.Milliseconds()).Int64Slice()
	if err != nil {
		return 0, false, fmt.Errorf("login throttle: %w", err)
	}
	if len(res) != 2 {
		return 0, false, fmt.Errorf("login throttle: unexpected reply %v", res)
	}
	if res[0] <= int64(t.rate.N) {
		return 0, true, nil
	}
	return time.Duration(res[1]) * time.Millisecond, false, nil
}

func (t *throttle) allowInMemory(key string, now time.Time) (time.Duration, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.calls++; t.calls%1024 == 0 {
		t.sweep(now)
	}
	w := t.windows[key]
	if !now.Before(w.ends) {
		w = window{ends: now.Add(t.rate.Per)}
	}
	w.count++
	t.windows[key] = w
	if w.count <= t.rate.N {
		return 0, true, nil
	}
	return w.ends.Sub(now), false, nil
}

// sweep forgets windows that have ended, so the map holds only the keys
// of the last window.
func (t *throttle) sweep(now time.Time) {
	for k, w := range t.windows {
		if !now.Before(w.ends) {
			delete(t.windows, k)
		}
	}
}

// formLoginAllowed throttles the login form like POST /api/login, when the
// form was given FormContext; it flashes how long to wait.
func formLoginAllowed(ctx context.Context, user string) error {
	f, ok := formRequestFrom(ctx)
	if !ok {
		return nil
	}
	retry, ok, err := f.app.LoginAllowed(ctx, user, f.r)
	if err != nil || ok {
		return err
	}
	return &problem{http.StatusTooManyRequests, MsgTooManyLogins + "; try again in " + RetryAfter(retry) + " s"}
}
