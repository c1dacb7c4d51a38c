package e2e_test

import (
	"encoding/json"
	"net"
	"testing"
)

// TestStoreDown points every app at a Redis that is not there: the health
// check and every route that needs the store answer 503 with the contract's
// error body, naming neither the token nor the Redis address.
func TestStoreDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := ln.Addr().String()
	ln.Close() // nothing listens there now
	for _, fw := range frameworks {
		t.Run(fw, func(t *testing.T) {
			t.Parallel()
			a := start(t, fw, nil, "-redis", "redis://"+down+"/0?max_retries=-1")
			tok := forgedToken()
			c := noJar(t)
			requests := []struct{ method, path, body string }{
				{"GET", "/api/session", ""},
				{"POST", "/api/visits", ""},
				{"PUT", "/api/values/k", `1`},
				{"GET", "/api/values/k", ""},
				{"POST", "/api/login", `{"user":"alice"}`},
				{"POST", "/api/logout", ""},
				{"POST", "/api/cart", `{"sku":"A1","qty":1}`},
				{"POST", "/api/flash", `{"message":"hi"}`},
				{"GET", "/api/flash", ""},
			}
			for _, r := range requests {
				// With a token, so that every route has a session to load.
				got := c.do(r.method, a.url+r.path, r.body, "Cookie", "session="+tok)
				wantError(t, r.method+" "+r.path, got, 503, tok, down)
			}
			// The health check names the store's state and the breaker's,
			// which the failures above may have opened.
			h := c.do("GET", a.url+"/healthz", "")
			wantStatus(t, "GET /healthz", h, 503)
			var health map[string]string
			if err := json.Unmarshal(h.body, &health); err != nil || health["store"] != "unavailable" ||
				(health["breaker"] != "open" && health["breaker"] != "closed" && health["breaker"] != "half-open") {
				t.Fatalf("GET /healthz: %s, want {\"store\":\"unavailable\",\"breaker\":\"open\"|...}", h.body)
			}
			// A new visitor's page needs no store; their first write fails
			// at the commit.
			wantStatus(t, "GET /, new visitor", c.do("GET", a.url+"/", ""), 200)
			wantError(t, "PUT /api/values/k, new visitor", c.do("PUT", a.url+"/api/values/k", `1`), 503, down)
			if got := c.do("GET", a.url+"/", "", "Cookie", "session="+tok); got.status != 503 {
				t.Fatalf("GET /: status %d, want 503", got.status)
			}
		})
	}
}
