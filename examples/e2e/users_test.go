package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Helpers of the per-user tests (devices, remember me, throttling).

// userBackends are the three Redis topologies, for the per-user tests that
// run on each.
var userBackends = []struct {
	name string
	get  func(*testing.T) backend
}{
	{"single", singleRedis},
	{"sentinel", sentinelRedis},
	{"cluster", clusterRedis},
}

// uniqueUser is a user name no other test or earlier run uses: the index
// and the login counters live in a Redis shared by the whole run.
func uniqueUser(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano())
}

// startApps runs the Chi, Gin and Echo apps on b with the same arguments:
// three instances, and three frameworks' routing of the devices routes.
func startApps(t *testing.T, b backend, args ...string) []*app {
	t.Helper()
	var apps []*app
	for _, fw := range []string{"chi", "gin", "echo"} {
		apps = append(apps, start(t, fw, b.env, args...))
	}
	return apps
}

// rawClient sends requests from any goroutine: errors are returned, not
// reported. It keeps no cookies.
type rawClient struct{ hc *http.Client }

func newRawClient(t *testing.T) rawClient {
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return rawClient{&http.Client{Transport: tr, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request; header holds name, value pairs.
func (c rawClient) do(ctx context.Context, method, url, body string, header ...string) (reply, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return reply{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: b}, err
}

// loginMany logs user in n times at once, round robin over apps, each
// login a new visitor, and returns the session tokens in login order.
func loginMany(t *testing.T, apps []*app, user string, n int) []string {
	t.Helper()
	c := newRawClient(t)
	tokens := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := c.do(t.Context(), "POST", apps[i%len(apps)].url+"/api/login", `{"user":"`+user+`"}`)
			switch ck := cookieNamed(r, "session"); {
			case err != nil:
				errs[i] = err
			case r.status != 200 || ck == nil:
				errs[i] = fmt.Errorf("status %d, session cookie %v: %s", r.status, ck, r.body)
			default:
				tokens[i] = ck.Value
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("login %d of %s: %v", i, user, err)
		}
	}
	return tokens
}

// cookieNamed is the response's Set-Cookie of that name, or nil.
func cookieNamed(r reply, name string) *http.Cookie {
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// handleOf is the device id of a session token: its store ID, SHA-256 of
// the token (what redisKey puts after the prefix).
func handleOf(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// indexKey is the Redis key of user's index.
func indexKey(user string) string {
	sum := sha256.Sum256([]byte(user))
	return "sesskit:u:" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// rememberKey is the Redis key of the remember-me token in a cookie value
// "selector.validator".
func rememberKey(cookie string) string {
	selector, _, _ := strings.Cut(cookie, ".")
	return "sesskit:r:" + handleOf(selector)
}

// device is one entry of GET /api/devices.
type device struct {
	ID         string    `json:"id"`
	Current    bool      `json:"current"`
	Created    time.Time `json:"created"`
	LastActive time.Time `json:"last_active"`
	Expires    time.Time `json:"expires"`
	Kind       string    `json:"kind"`
	Label      string    `json:"label"`
}

// devicesOf lists the devices through a with the session token.
func devicesOf(t *testing.T, a *app, token string) []device {
	t.Helper()
	r := noJar(t).do("GET", a.url+"/api/devices", "", "Cookie", "session="+token)
	wantStatus(t, "GET /api/devices", r, 200)
	var out struct{ Devices []device }
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("GET /api/devices: %v: %s", err, r.body)
	}
	return out.Devices
}

// userOf is the user GET /api/session answers through a for token ("" for
// none); it fails the test on anything but 200.
func userOf(t *testing.T, c rawClient, a *app, token string) string {
	t.Helper()
	u, err := sessionUser(t.Context(), c, a, token)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func sessionUser(ctx context.Context, c rawClient, a *app, token string) (string, error) {
	r, err := c.do(ctx, "GET", a.url+"/api/session", "", "Cookie", "session="+token)
	if err != nil {
		return "", err
	}
	if r.status != 200 {
		return "", fmt.Errorf("GET /api/session: status %d: %s", r.status, r.body)
	}
	var out struct{ User *string }
	if err := json.Unmarshal(r.body, &out); err != nil {
		return "", fmt.Errorf("GET /api/session: %v: %s", err, r.body)
	}
	if out.User == nil {
		return "", nil
	}
	return *out.User, nil
}

// liveTokens are those of tokens that GET /api/session (spread over apps)
// still finds logged in as user, checked at once.
func liveTokens(t *testing.T, apps []*app, user string, tokens []string) map[string]bool {
	t.Helper()
	c := newRawClient(t)
	live := make([]bool, len(tokens))
	errs := make([]error, len(tokens))
	var wg sync.WaitGroup
	for i, tok := range tokens {
		wg.Go(func() {
			u, err := sessionUser(t.Context(), c, apps[i%len(apps)], tok)
			live[i], errs[i] = u == user, err
			if err == nil && u != "" && u != user {
				errs[i] = fmt.Errorf("token %d is logged in as %q, want %q or nobody", i, u, user)
			}
		})
	}
	wg.Wait()
	out := map[string]bool{}
	for i, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
		if live[i] {
			out[tokens[i]] = true
		}
	}
	return out
}
