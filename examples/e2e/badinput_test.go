package e2e_test

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"strings"
	"testing"
)

// anyBackend is Redis when SESSKIT_REDIS_URL is set (or required), the
// in-process store otherwise: the test is worth running either way.
func anyBackend(t *testing.T) backend {
	if os.Getenv("SESSKIT_REDIS_URL") != "" || requireRedis() {
		return singleRedis(t)
	}
	return memory
}

// forgedToken has the shape of a real token but was never issued.
func forgedToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// TestBadInput sends every kind of bad request to every app: each gets its
// documented 4xx and a contract error body, never a 500, and leaves the
// session as it was.
func TestBadInput(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 64<<10)
	cases := []struct {
		name, method, path, body string
		status                   int
	}{
		{"key with a space", "PUT", "/api/values/bad%20key", `1`, 400},
		{"key of 65 characters", "PUT", "/api/values/" + strings.Repeat("k", 65), `1`, 400},
		{"reserved key", "PUT", "/api/values/%40user", `"mallory"`, 400},
		{"non-ASCII key", "PUT", "/api/values/%C3%A9", `1`, 400},
		{"key with a percent", "PUT", "/api/values/a%25b", `1`, 400},
		{"GET with a bad key", "GET", "/api/values/bad%20key", ``, 400},
		{"DELETE with a bad key", "DELETE", "/api/values/bad%20key", ``, 400},
		{"bad JSON", "PUT", "/api/values/k", `{"a":`, 400},
		{"no body", "PUT", "/api/values/k", ``, 400},
		{"two JSON values", "PUT", "/api/values/k", `1 2`, 400},
		{"number out of range", "PUT", "/api/values/k", `1e400`, 400},
		{"value over 64 KiB", "PUT", "/api/values/k", `"` + big + `"`, 413},
		{"login: bad JSON", "POST", "/api/login", `{"user":`, 400},
		{"login: no user", "POST", "/api/login", `{}`, 400},
		{"login: empty user", "POST", "/api/login", `{"user":""}`, 400},
		{"login: user of 65 characters", "POST", "/api/login", `{"user":"` + strings.Repeat("u", 65) + `"}`, 400},
		{"login: user not a string", "POST", "/api/login", `{"user":5}`, 400},
		{"login: control character", "POST", "/api/login", `{"user":"a\u0000b"}`, 400},
		{"login: not an object", "POST", "/api/login", `"alice"`, 400},
		{"login: body over 64 KiB", "POST", "/api/login", `{"user":"a","pad":"` + big + `"}`, 413},
		{"cart: qty 0", "POST", "/api/cart", `{"sku":"A1","qty":0}`, 400},
		{"cart: qty 100", "POST", "/api/cart", `{"sku":"A1","qty":100}`, 400},
		{"cart: negative qty", "POST", "/api/cart", `{"sku":"A1","qty":-1}`, 400},
		{"cart: fractional qty", "POST", "/api/cart", `{"sku":"A1","qty":2.5}`, 400},
		{"cart: qty as a string", "POST", "/api/cart", `{"sku":"A1","qty":"2"}`, 400},
		{"cart: no qty", "POST", "/api/cart", `{"sku":"A1"}`, 400},
		{"cart: bad sku", "POST", "/api/cart", `{"sku":"A 1","qty":1}`, 400},
		{"cart: no sku", "POST", "/api/cart", `{"qty":1}`, 400},
		{"cart: not an object", "POST", "/api/cart", `[1]`, 400},
		{"cart: bad JSON", "POST", "/api/cart", `{`, 400},
		{"flash: no message", "POST", "/api/flash", `{}`, 400},
		{"flash: empty message", "POST", "/api/flash", `{"message":""}`, 400},
		{"flash: bad JSON", "POST", "/api/flash", `nope`, 400},
		{"flash: body over 64 KiB", "POST", "/api/flash", `{"message":"` + big + `"}`, 413},
		{"unknown route", "GET", "/api/nope", ``, 404},
		{"wrong method", "PATCH", "/api/session", ``, 405},
	}
	for _, fw := range frameworks {
		t.Run(fw, func(t *testing.T) {
			t.Parallel()
			b := anyBackend(t)
			a := start(t, fw, b.env)
			c := newClient(t)
			wantJSON(t, "POST /api/visits", c.do("POST", a.url+"/api/visits", ""), 200, `{"visits":1}`)
			tok := c.token(a.url)

			for _, tc := range cases {
				r := c.do(tc.method, a.url+tc.path, tc.body)
				wantError(t, tc.name, r, tc.status, tok)
			}
			// The largest body allowed is fine.
			wantStatus(t, "value of exactly 64 KiB", c.do("PUT", a.url+"/api/values/k", `"`+big[2:]+`"`), 204)
			wantStatus(t, "DELETE /api/values/k", c.do("DELETE", a.url+"/api/values/k", ""), 204)

			// Values of 64 KiB until the session passes its 1 MiB limit:
			// 413 with the error body, the stored session unchanged.
			full := false
			for i := 0; i < 20 && !full; i++ {
				r := c.do("PUT", a.url+fmt.Sprintf("/api/values/big%d", i), `"`+big[2:]+`"`)
				if full = r.status == 413; full {
					wantError(t, "session over 1 MiB", r, 413, tok)
				} else {
					wantStatus(t, fmt.Sprintf("PUT /api/values/big%d", i), r, 204)
				}
			}
			if !full {
				t.Fatal("20 values of 64 KiB fit in the session, want a 413")
			}
			for i := 0; i < 20; i++ {
				wantStatus(t, "DELETE", c.do("DELETE", a.url+fmt.Sprintf("/api/values/big%d", i), ""), 204)
			}

			if got := c.token(a.url); got != tok {
				t.Fatalf("bad requests changed the session token")
			}
			wantJSON(t, "GET /api/session after the bad requests", c.do("GET", a.url+"/api/session", ""), 200,
				`{"user":null,"values":{"visits":1}}`)
		})
	}
}

// TestBadTokens sends tokens the apps never issued, in the cookie and in the
// header: each request is served with a fresh session (never a 4xx or 5xx
// for the token itself), and nothing is stored under the client's token.
func TestBadTokens(t *testing.T) {
	t.Parallel()
	for _, fw := range frameworks {
		t.Run(fw, func(t *testing.T) {
			t.Parallel()
			b := anyBackend(t)
			a := start(t, fw, b.env)
			c := noJar(t)
			forged := forgedToken()
			cases := []struct{ name, header, value, token string }{
				{"garbage cookie", "Cookie", "session=garbage!!", ""},
				{"empty cookie", "Cookie", "session=", ""},
				{"oversized cookie (6 KiB)", "Cookie", "session=" + strings.Repeat("A", 6<<10), ""},
				{"forged cookie", "Cookie", "session=" + forged, forged},
				{"forged cookie, padded", "Cookie", "session=" + forged + "=", forged + "="},
				{"forged header token", "X-Session-Token", forged, forged},
				{"oversized header token (6 KiB)", "X-Session-Token", strings.Repeat("B", 6<<10), ""},
			}
			for _, tc := range cases {
				r := c.do("GET", a.url+"/api/session", "", tc.header, tc.value)
				wantJSON(t, tc.name+": GET /api/session", r, 200, `{"user":null,"values":{}}`)

				r = c.do("POST", a.url+"/api/visits", "", tc.header, tc.value)
				wantJSON(t, tc.name+": POST /api/visits", r, 200, `{"visits":1}`)
				issued := r.header.Get("X-Session-Token")
				if tc.header == "Cookie" {
					if ck := setCookie(r); ck != nil {
						issued = ck.Value
					}
				}
				if len(issued) != 43 || issued == tc.token {
					t.Fatalf("%s: POST /api/visits issued %q, want a fresh 43-character token", tc.name, issued)
				}
				b.wantStored(t, tc.name+": the issued token", issued, true)
				if tc.token != "" {
					b.wantStored(t, tc.name+": the client's token", tc.token, false)
				}
			}

			// Large cookies of other applications next to a real session:
			// nearly 8 KiB of request headers are served, with the session.
			jar := newClient(t)
			jar.do("POST", a.url+"/api/visits", "")
			tok := jar.token(a.url)
			cookie := "other=" + strings.Repeat("o", 7<<10) + "; session=" + tok + "; more=" + strings.Repeat("m", 512)
			wantJSON(t, "nearly 8 KiB of headers", c.do("GET", a.url+"/api/session", "", "Cookie", cookie), 200,
				`{"user":null,"values":{"visits":1}}`)
		})
	}
}
