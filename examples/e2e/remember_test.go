package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRememberMe walks a remembered visitor through two apps (Gin, Fiber)
// on one Redis (single node and Cluster), with -remember 1h,
// -idle-timeout 5m and -absolute-timeout 10m:
//   - the login sets a session cookie and a remember cookie whose Max-Age
//     and Redis PTTL match those lifetimes, both labelled with the
//     User-Agent in the devices list;
//   - with the session cookie dropped (a browser restart), the remember
//     cookie alone restores the user, through the other app, into a fresh
//     session ("restored":true), and the remember cookie rotates;
//   - the remember value just rotated away, presented again at once, is
//     served anonymously and changes nothing (core's RememberGrace of 30 s
//     covers a browser's concurrent requests);
//   - a value two rotations old (a stolen copy) logs the user out
//     everywhere: every session and remember token of the user ends;
//   - logout expires both cookies and deletes the token.
func TestRememberMe(t *testing.T) {
	t.Parallel()
	for _, bk := range userBackends {
		if bk.name == "sentinel" {
			continue // nothing topology-specific that single and Cluster do not show
		}
		t.Run(bk.name, func(t *testing.T) {
			t.Parallel()
			b := bk.get(t)
			args := []string{"-remember", "1h", "-idle-timeout", "5m", "-absolute-timeout", "10m"}
			x := start(t, "gin", b.env, args...)
			y := start(t, "fiber", b.env, args...)
			user := uniqueUser("remember")
			c := noJar(t)
			const agent = "e2e-remember/1.0 (a browser)"

			r := c.do("POST", x.url+"/api/login", `{"user":"`+user+`","remember":true}`, "User-Agent", agent)
			wantJSON(t, "login with remember", r, 200, `{"user":"`+user+`","remember":true}`)
			s1, r1 := cookieNamed(r, "session"), cookieNamed(r, "remember")
			if s1 == nil || r1 == nil {
				t.Fatalf("login with remember: Set-Cookie %q, want session and remember", r.header.Values("Set-Cookie"))
			}
			wantCookie(t, "remember cookie", r1, time.Hour)
			wantCookie(t, "session cookie", s1, 10*time.Minute)
			wantPTTL(t, b, "remember token", rememberKey(r1.Value), time.Hour)
			wantPTTL(t, b, "session", redisKey(s1.Value), 5*time.Minute)

			devices := devicesOf(t, x, s1.Value)
			kinds := map[string]int{}
			for _, d := range devices {
				kinds[d.Kind]++
				if d.Label != agent {
					t.Fatalf("device %+v: label %q, want the User-Agent %q", d, d.Label, agent)
				}
			}
			if len(devices) != 2 || kinds["session"] != 1 || kinds["remember"] != 1 {
				t.Fatalf("devices after a remembered login: %+v, want one session and one remember token", devices)
			}

			// A browser restart: the remember cookie alone, on the other app.
			s2, r2 := restore(t, c, y, user, r1)
			if s2.Value == s1.Value {
				t.Fatal("the restored session has the old session's token, want a fresh one")
			}
			wantPTTL(t, b, "restored session", redisKey(s2.Value), 5*time.Minute)
			wantPTTL(t, b, "rotated remember token", rememberKey(r2.Value), time.Hour)

			// The value just rotated away, at once: anonymous, no alarm.
			r = c.do("GET", x.url+"/api/session", "", "Cookie", "remember="+r1.Value)
			wantJSON(t, "the rotated-away remember value within the grace", r, 200, `{"user":null,"values":{}}`)
			cr := newRawClient(t)
			if u := userOf(t, cr, x, s2.Value); u != user {
				t.Fatalf("the restored session after a replay within the grace: user %q, want %q", u, user)
			}

			// Once more, then the first value (two rotations old) comes back.
			s3, r3 := restore(t, c, x, user, r2)
			r = c.do("GET", y.url+"/api/session", "", "Cookie", "remember="+r1.Value)
			wantJSON(t, "a stolen remember value", r, 200, `{"user":null,"values":{}}`)
			if ck := cookieNamed(r, "remember"); ck == nil || ck.MaxAge >= 0 {
				t.Fatalf("a stolen remember value: remember cookie %v, want it expired", ck)
			}
			for _, tok := range []string{s1.Value, s2.Value, s3.Value} {
				if u := userOf(t, cr, y, tok); u != "" {
					t.Fatalf("after a stolen remember value, a session of the user is still logged in as %q", u)
				}
			}
			r = c.do("GET", x.url+"/api/session", "", "Cookie", "remember="+r3.Value)
			wantJSON(t, "the current remember value after the theft", r, 200, `{"user":null,"values":{}}`)
			wantGone(t, b, indexKey(user), rememberKey(r3.Value))

			// Logout expires both cookies and deletes the token.
			r = c.do("POST", y.url+"/api/login", `{"user":"`+user+`","remember":true}`)
			s4, r4 := cookieNamed(r, "session"), cookieNamed(r, "remember")
			r = c.do("POST", x.url+"/api/logout", "", "Cookie", "session="+s4.Value+"; remember="+r4.Value)
			wantStatus(t, "logout", r, 204)
			for _, name := range []string{"session", "remember"} {
				if ck := cookieNamed(r, name); ck == nil || ck.MaxAge >= 0 {
					t.Fatalf("logout: %s cookie %v, want it expired", name, ck)
				}
			}
			wantGone(t, b, rememberKey(r4.Value), redisKey(s4.Value))
		})
	}
}

// restore presents the remember cookie alone through a and checks that it
// restores user into a fresh session and rotates; it returns the new
// session and remember cookies.
func restore(t *testing.T, c *client, a *app, user string, remember *http.Cookie) (session, rotated *http.Cookie) {
	t.Helper()
	r := c.do("GET", a.url+"/api/session", "", "Cookie", "remember="+remember.Value)
	wantJSON(t, a.fw+": the remember cookie alone", r, 200, `{"user":"`+user+`","values":{},"restored":true}`)
	session, rotated = cookieNamed(r, "session"), cookieNamed(r, "remember")
	if session == nil || rotated == nil {
		t.Fatalf("%s: restoring: Set-Cookie %q, want a session and a rotated remember cookie", a.fw, r.header.Values("Set-Cookie"))
	}
	oldSel, _, _ := strings.Cut(remember.Value, ".")
	newSel, _, _ := strings.Cut(rotated.Value, ".")
	if rotated.Value == remember.Value || newSel != oldSel {
		t.Fatalf("%s: the remember cookie did not rotate its validator (same selector, new validator)", a.fw)
	}
	wantCookie(t, a.fw+": rotated remember cookie", rotated, time.Hour)
	return session, rotated
}

// wantCookie checks the contract's attributes and a Max-Age of lifetime
// (a few seconds less at most).
func wantCookie(t *testing.T, what string, ck *http.Cookie, lifetime time.Duration) {
	t.Helper()
	maxAge := time.Duration(ck.MaxAge) * time.Second
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || maxAge > lifetime || maxAge < lifetime-5*time.Second {
		t.Fatalf("%s: %s, want HttpOnly, SameSite=Lax, Path=/ and Max-Age %d", what, ck, int(lifetime.Seconds()))
	}
}

// wantPTTL checks that key expires in lifetime (a few seconds less at most).
func wantPTTL(t *testing.T, b backend, what, key string, lifetime time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	ttl, err := b.rdb.PTTL(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl > lifetime || ttl < lifetime-5*time.Second {
		t.Fatalf("%s: PTTL %v, want %v", what, ttl, lifetime)
	}
}

// wantGone checks that none of keys exists.
func wantGone(t *testing.T, b backend, keys ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, k := range keys {
		if n, err := b.rdb.Exists(ctx, k).Result(); err != nil || n != 0 {
			t.Fatalf("key %s...: exists=%d, %v; want it gone", k[:18], n, err)
		}
	}
}
