package e2e_test

import "testing"

// TestHeaderTransport checks the X-Session-Token transport on every app: a
// request without a cookie but with the header uses its token, and new or
// renewed tokens come back in the header instead of a cookie.
func TestHeaderTransport(t *testing.T) {
	t.Parallel()
	for _, fw := range frameworks {
		t.Run(fw, func(t *testing.T) {
			t.Parallel()
			b := anyBackend(t)
			a := start(t, fw, b.env)
			u := a.url
			h := noJar(t)
			const hdr = "X-Session-Token"

			// A client asks for header transport by sending the header; any
			// value it does not know gets a fresh token, in the header.
			r := h.do("POST", u+"/api/visits", "", hdr, "new")
			wantJSON(t, "POST /api/visits with a placeholder token", r, 200, `{"visits":1}`)
			tok := r.header.Get(hdr)
			if len(tok) != 43 || setCookie(r) != nil {
				t.Fatalf("new session over the header: %s %q, Set-Cookie %q; want a 43-character token and no cookie",
					hdr, tok, r.header.Values("Set-Cookie"))
			}
			b.wantStored(t, "the token from the header", tok, true)

			r = h.do("POST", u+"/api/visits", "", hdr, tok)
			wantJSON(t, "POST /api/visits with the token", r, 200, `{"visits":2}`)
			if r.header.Get(hdr) != "" || setCookie(r) != nil {
				t.Fatalf("unchanged token sent again: %s %q, Set-Cookie %q", hdr, r.header.Get(hdr), r.header.Values("Set-Cookie"))
			}

			// Login renews the token, in the header.
			r = h.do("POST", u+"/api/login", `{"user":"alice"}`, hdr, tok)
			wantJSON(t, "POST /api/login over the header", r, 200, `{"user":"alice"}`)
			renewed := r.header.Get(hdr)
			if len(renewed) != 43 || renewed == tok || setCookie(r) != nil {
				t.Fatalf("login over the header: %s %q, Set-Cookie %q; want a new token and no cookie",
					hdr, renewed, r.header.Values("Set-Cookie"))
			}
			wantJSON(t, "GET /api/session with the renewed token", h.do("GET", u+"/api/session", "", hdr, renewed), 200,
				`{"user":"alice","values":{"visits":2}}`)
			wantJSON(t, "GET /api/session with the token from before login", h.do("GET", u+"/api/session", "", hdr, tok), 200,
				`{"user":null,"values":{}}`)
			b.wantStored(t, "the token from before login", tok, false)

			// A token issued in a cookie works in the header too.
			c := newClient(t)
			c.do("PUT", u+"/api/values/via", `"cookie"`)
			wantJSON(t, "GET /api/values/via with the cookie's token in the header",
				h.do("GET", u+"/api/values/via", "", hdr, c.token(u)), 200, `"cookie"`)

			r = h.do("POST", u+"/api/logout", "", hdr, renewed)
			wantStatus(t, "POST /api/logout over the header", r, 204)
			if setCookie(r) != nil {
				t.Fatalf("logout over the header set a cookie: %q", r.header.Values("Set-Cookie"))
			}
			b.wantStored(t, "after logout", renewed, false)
			wantJSON(t, "GET /api/session after logout", h.do("GET", u+"/api/session", "", hdr, renewed), 200,
				`{"user":null,"values":{}}`)
		})
	}
}
