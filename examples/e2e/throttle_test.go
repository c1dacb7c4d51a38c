package e2e_test

import (
	"strconv"
	"testing"
	"time"
)

// TestLoginThrottle: with LOGIN_LIMIT=4/2s, two apps (Gin and Fiber) on
// one Redis share the count of a user's logins from one address: four
// pass, alternating between them, then both answer 429 with Retry-After
// (1 or 2 s) and the contract's error; another user is not affected; once
// the window is over, logins pass again on both.
func TestLoginThrottle(t *testing.T) {
	t.Parallel()
	b := singleRedis(t)
	env := append([]string{"LOGIN_LIMIT=4/2s"}, b.env...)
	apps := []*app{start(t, "gin", env), start(t, "fiber", env)}
	user := uniqueUser("throttle")
	c := noJar(t)
	login := func(a *app, user string) reply {
		return c.do("POST", a.url+"/api/login", `{"user":"`+user+`"}`)
	}

	began := time.Now()
	for i := range 4 {
		wantJSON(t, "login within the limit", login(apps[i%2], user), 200, `{"user":"`+user+`"}`)
	}
	for _, a := range apps {
		r := login(a, user)
		wantJSON(t, a.fw+": login past the limit", r, 429, `{"error":"too many login attempts"}`)
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 || s > 2 {
			t.Fatalf("%s: Retry-After %q, want 1 or 2 (seconds)", a.fw, r.header.Get("Retry-After"))
		}
	}
	wantJSON(t, "another user", login(apps[1], user+"-other"), 200, `{"user":"`+user+`-other"}`)

	time.Sleep(time.Until(began.Add(2*time.Second + 100*time.Millisecond)))
	for _, a := range apps {
		wantJSON(t, a.fw+": login after the window", login(a, user), 200, `{"user":"`+user+`"}`)
	}
}

// TestLoginThrottleClientAddress: in memory, LOGIN_LIMIT=1/1m counts per
// client address: X-Forwarded-For is ignored, unless -trust-proxy is
// given, and then its last entry (the one the proxy added) is the address.
func TestLoginThrottleClientAddress(t *testing.T) {
	t.Parallel()
	env := []string{"LOGIN_LIMIT=1/1m"}
	plain, proxied := start(t, "chi", env), start(t, "echo", env, "-trust-proxy")
	c := noJar(t)
	login := func(a *app, xff string) int {
		return c.do("POST", a.url+"/api/login", `{"user":"mallory"}`, "X-Forwarded-For", xff).status
	}
	if s1, s2 := login(plain, "10.0.0.1"), login(plain, "10.0.0.2"); s1 != 200 || s2 != 429 {
		t.Fatalf("without -trust-proxy, two addresses in X-Forwarded-For: %d, %d; want 200, 429 (one client)", s1, s2)
	}
	if s1, s2 := login(proxied, "10.0.0.1"), login(proxied, "10.0.0.9, 10.0.0.2"); s1 != 200 || s2 != 200 {
		t.Fatalf("with -trust-proxy, two proxied clients: %d, %d; want 200, 200", s1, s2)
	}
	if s := login(proxied, "10.0.0.2, 10.0.0.1"); s != 429 {
		t.Fatalf("with -trust-proxy, a forged first entry: %d, want 429 (the last entry counts)", s)
	}
}
