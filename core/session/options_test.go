package session_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

type fakeCodec struct {
	session.JSON
	name string
	tag  byte
}

func (c fakeCodec) Name() string { return c.name }
func (c fakeCodec) Tag() byte    { return c.tag }

func TestNewRefusesBrokenOptions(t *testing.T) {
	tests := map[string][]session.Option{
		"SameSite=None without Secure":    {session.WithCookieSameSite(http.SameSiteNoneMode), session.WithInsecureCookie()},
		"Partitioned without Secure":      {session.WithCookiePartitioned(), session.WithInsecureCookie()},
		"__Host- with a domain":           {session.WithCookieName("__Host-s"), session.WithCookieDomain("example.com")},
		"__Host- with a path":             {session.WithCookieName("__Host-s"), session.WithCookiePath("/app")},
		"__Host- without Secure":          {session.WithCookieName("__Host-s"), session.WithInsecureCookie()},
		"__Secure- without Secure":        {session.WithCookieName("__Secure-s"), session.WithInsecureCookie()},
		"bad cookie name":                 {session.WithCookieName("a b")},
		"negative idle":                   {session.WithIdleTimeout(-time.Second)},
		"touch interval >= idle":          {session.WithIdleTimeout(time.Minute), session.WithTouchInterval(time.Minute)},
		"session limit below value":       {session.WithMaxValueSize(1000), session.WithMaxSessionSize(10)},
		"bad header name":                 {session.WithHeaderToken("x token")},
		"reserved codec tag":              {session.WithCodec(fakeCodec{name: "x", tag: 0x01})},
		"codecs sharing a tag":            {session.WithCodec(fakeCodec{name: "x", tag: 'j'})},
		"codec tag of a counter":          {session.WithCodec(fakeCodec{name: "x", tag: '7'})},
		"lowercase __host- with a domain": {session.WithCookieName("__host-s"), session.WithCookieDomain("example.com")},
		"mixed-case __SECURE- insecure":   {session.WithCookieName("__SECURE-s"), session.WithInsecureCookie()},
		"token in Set-Cookie":             {session.WithHeaderToken("Set-Cookie")},
		"token in Authorization":          {session.WithHeaderToken("Authorization")},
		"token in Cookie":                 {session.WithHeaderToken("Cookie")},
		"token in a Content- header":      {session.WithHeaderToken("Content-Type")},
		"negative key limit":              {session.WithMaxKeys(-1)},
	}
	for name, opts := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := session.New(memstore.New(), opts...); !errors.Is(err, session.ErrInvalidOption) {
				t.Errorf("New: %v, want ErrInvalidOption", err)
			}
		})
	}
	if _, err := session.New(nil); !errors.Is(err, session.ErrInvalidOption) {
		t.Errorf("nil store: %v", err)
	}
}

func TestCookieOptionsApply(t *testing.T) {
	h := newHarness(t, session.WithCookieName("__Host-sid"), session.WithCookieSameSite(http.SameSiteStrictMode),
		session.WithCookiePartitioned(), session.WithBrowserSessionCookie())
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	rec := newRecorder()
	sesshttp.Middleware(h.m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		must(t, session.FromContext(r.Context()).Set("a", 1))
	})).ServeHTTP(rec, req)
	line := rec.Header().Get("Set-Cookie")
	for _, want := range []string{"__Host-sid=", "Path=/", "HttpOnly", "Secure", "SameSite=Strict", "Partitioned"} {
		if !contains(line, want) {
			t.Errorf("Set-Cookie %q lacks %q", line, want)
		}
	}
	if contains(line, "Max-Age") {
		t.Errorf("browser-session cookie has Max-Age: %q", line)
	}
}
