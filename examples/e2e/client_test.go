package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

const requestTimeout = 15 * time.Second

// client is a browser-like HTTP client: one cookie jar (cookies are not
// port-scoped, so one jar talks to several apps as one browser would), no
// redirects followed.
type client struct {
	t   *testing.T
	hc  *http.Client
	jar *cookiejar.Jar
}

func newClient(t *testing.T) *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections) // before the apps stop: a graceful shutdown waits for open connections
	return &client{t: t, jar: jar, hc: &http.Client{
		Jar:     jar,
		Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
		Transport: tr,
	}}
}

// noJar returns a client without cookies, for header transport and
// hand-made Cookie headers.
func noJar(t *testing.T) *client {
	c := newClient(t)
	c.hc.Jar, c.jar = nil, nil
	return c
}

// reply is one HTTP response, read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; header holds name, value pairs.
func (c *client) do(method, rawURL, body string, header ...string) reply {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(c.t.Context(), requestTimeout)
	defer cancel()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, r)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, rawURL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read body: %v", method, rawURL, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// token returns the session cookie the jar holds for u, or "".
func (c *client) token(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range c.jar.Cookies(pu) {
		if ck.Name == "session" {
			return ck.Value
		}
	}
	return ""
}

// wantJSON checks the status and that the body is JSON equal to want.
func wantJSON(t *testing.T, what string, r reply, status int, want string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want application/json", what, ct)
	}
	var got, exp any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("%s: body is not JSON: %v: %s", what, err, r.body)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("%s: bad expectation %s: %v", what, want, err)
	}
	if !reflect.DeepEqual(got, exp) {
		t.Fatalf("%s: body %s, want %s", what, r.body, want)
	}
}

// wantStatus checks the status only.
func wantStatus(t *testing.T, what string, r reply, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
	}
}

// wantError checks a contract error: the status and a body that is exactly
// {"error":"<message>"}, with no token or stack trace in it.
func wantError(t *testing.T, what string, r reply, status int, secrets ...string) {
	t.Helper()
	wantStatus(t, what, r, status)
	var body map[string]any
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatalf("%s: error body is not JSON: %s", what, r.body)
	}
	msg, ok := body["error"].(string)
	if len(body) != 1 || !ok || msg == "" {
		t.Fatalf(`%s: error body %s, want {"error":"<message>"}`, what, r.body)
	}
	for _, s := range append(secrets, "goroutine ", "panic", ".go:") {
		if s != "" && strings.Contains(string(r.body), s) {
			t.Fatalf("%s: error body %s reveals %q", what, r.body, s)
		}
	}
}

// setCookie returns the response's Set-Cookie for the session, or nil.
func setCookie(r reply) *http.Cookie {
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == "session" {
			return ck
		}
	}
	return nil
}
