package redisstore_test

import (
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// TestOwnLifetimeTTL logs in with a lifetime of its own (SetLifetime) and
// checks what Redis holds: the key's PTTL is the session's idle timeout,
// not the Manager's, @d its own absolute deadline, the user's index lives
// until it; clearing the lifetime brings the Manager's back.
func TestOwnLifetimeTTL(t *testing.T) {
	const managerIdle, ownIdle, ownAbsolute = 10 * time.Minute, 24 * time.Hour, 30 * 24 * time.Hour
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		prefix := "sesskit-lifetime:" + sessiontest.RandomID()[:12] + ":"
		t.Cleanup(func() { deletePrefix(t, rdb, prefix) })
		st, err := redisstore.New(rdb, redisstore.WithPrefix(prefix))
		if err != nil {
			t.Fatal(err)
		}
		m, err := session.New(st, session.WithIdleTimeout(managerIdle), session.WithLogger(slog.New(slog.DiscardHandler)),
			session.WithMaxLifetime(ownIdle, ownAbsolute))
		if err != nil {
			t.Fatal(err)
		}
		do := func(token string, fn func(r *http.Request, s *session.Session)) string {
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			if token != "" {
				req.AddCookie(&http.Cookie{Name: session.DefaultCookieName, Value: token})
			}
			rec := httptest.NewRecorder()
			sesshttp.Middleware(m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				fn(r, session.FromContext(r.Context()))
			})).ServeHTTP(rec, req)
			for _, c := range rec.Result().Cookies() {
				if c.Name == session.DefaultCookieName {
					return c.Value
				}
			}
			return token
		}
		user := "lifetime-" + sessiontest.RandomID()[:8]
		token := do("", func(r *http.Request, s *session.Session) {
			must(t, s.Renew(r.Context()))
			must(t, s.SetUser(user))
			must(t, s.SetLifetime(ownIdle, ownAbsolute))
		})
		key := prefix + sessiontest.TokenID(token)
		if d := pttl(t, rdb, key); d <= ownIdle-time.Minute || d > ownIdle {
			t.Fatalf("PTTL = %v, want the session's own idle timeout %v", d, ownIdle)
		}
		h := hgetall(t, rdb, key)
		c, _ := strconv.ParseInt(h["@c"], 10, 64)
		if h["@i"] != strconv.FormatInt(ownIdle.Milliseconds(), 10) || h["@a"] != strconv.FormatInt(ownAbsolute.Milliseconds(), 10) ||
			h["@d"] != strconv.FormatInt(c+ownAbsolute.Milliseconds(), 10) {
			t.Fatalf("HGETALL = %q, want @i, @a and @d = @c + @a", h)
		}
		sum := sha256.Sum256([]byte(user))
		if d := pttl(t, rdb, prefix+"u:"+base64.RawURLEncoding.EncodeToString(sum[:])); d <= ownAbsolute-time.Hour || d > ownAbsolute {
			t.Fatalf("index PTTL = %v, want the session's own absolute deadline %v away", d, ownAbsolute)
		}

		// A write after a shortened TTL (as after time passed) sets it
		// back to the session's own idle timeout, once the touch is due.
		rdb.PExpire(t.Context(), key, time.Hour)
		rdb.HSet(t.Context(), key, "@t", c-time.Hour.Milliseconds())
		do(token, func(_ *http.Request, s *session.Session) { must(t, s.Set("a", 1)) })
		if d := pttl(t, rdb, key); d <= ownIdle-time.Minute || d > ownIdle {
			t.Fatalf("PTTL after a write = %v, want %v", d, ownIdle)
		}

		do(token, func(_ *http.Request, s *session.Session) { must(t, s.SetLifetime(0, 0)) })
		if d := pttl(t, rdb, key); d <= 0 || d > managerIdle {
			t.Fatalf("PTTL = %v, want the Manager's idle timeout %v", d, managerIdle)
		}
		h = hgetall(t, rdb, key)
		if _, ok := h["@i"]; ok || h["@a"] != "" {
			t.Fatalf("HGETALL = %q, want no @i or @a", h)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
