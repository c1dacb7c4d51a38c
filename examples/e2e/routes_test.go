package e2e_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestRoutes drives every route of the contract on every app, with the
// in-process store and with Redis.
func TestRoutes(t *testing.T) {
	t.Parallel()
	for _, fw := range frameworks {
		for _, store := range []string{"memory", "redis"} {
			t.Run(fw+"/"+store, func(t *testing.T) {
				t.Parallel()
				b := memory
				if store == "redis" {
					b = singleRedis(t)
				}
				exerciseRoutes(t, start(t, fw, b.env), b)
			})
		}
	}
}

const form = "application/x-www-form-urlencoded"

// exerciseRoutes walks one visitor through every route of a, checking the
// answers and, with Redis, the keys.
func exerciseRoutes(t *testing.T, a *app, b backend) {
	c := newClient(t)
	u := a.url

	wantJSON(t, "GET /healthz", c.do("GET", u+"/healthz", ""), 200, `{"store":"ok","breaker":"closed"}`)

	r := c.do("GET", u+"/api/session", "")
	wantJSON(t, "GET /api/session, new visitor", r, 200, `{"user":null,"values":{}}`)
	if sc := r.header.Values("Set-Cookie"); len(sc) > 0 {
		t.Fatalf("GET /api/session created a session: Set-Cookie %q", sc)
	}

	// The first write creates the session and sets the cookie.
	r = c.do("POST", u+"/api/visits", "")
	wantJSON(t, "POST /api/visits", r, 200, `{"visits":1}`)
	ck := setCookie(r)
	switch {
	case ck == nil:
		t.Fatalf("POST /api/visits: no session cookie; headers %v", r.header)
	case len(ck.Value) != 43 || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Secure:
		t.Fatalf("session cookie %q, want a 43-character token, HttpOnly, SameSite=Lax, Path=/, not Secure", r.header.Values("Set-Cookie"))
	}
	if cc := r.header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("POST /api/visits: Cache-Control %q, want no-store", cc)
	}
	b.wantStored(t, "after the first write", ck.Value, true)
	wantJSON(t, "POST /api/visits again", c.do("POST", u+"/api/visits", ""), 200, `{"visits":2}`)

	// Values.
	values := []struct{ key, json string }{
		{"color", `"blue"`},
		{"obj", `{"a":[1,2.5,"x",null,true,{"b":"c"}],"n":-12345678901234}`},
		{"a.b-c_D9", `0`},
		{"nil", `null`},
	}
	for _, v := range values {
		r = c.do("PUT", u+"/api/values/"+v.key, v.json)
		wantStatus(t, "PUT /api/values/"+v.key, r, 204)
		if len(r.body) != 0 {
			t.Errorf("PUT /api/values/%s: 204 with body %q", v.key, r.body)
		}
		wantJSON(t, "GET /api/values/"+v.key, c.do("GET", u+"/api/values/"+v.key, ""), 200, v.json)
	}
	wantError(t, "GET /api/values/missing", c.do("GET", u+"/api/values/missing", ""), 404)
	wantStatus(t, "DELETE /api/values/color", c.do("DELETE", u+"/api/values/color", ""), 204)
	wantError(t, "GET /api/values/color after DELETE", c.do("GET", u+"/api/values/color", ""), 404)
	wantStatus(t, "DELETE /api/values/color again", c.do("DELETE", u+"/api/values/color", ""), 204)

	// Login renews the token and keeps the data.
	before := c.token(u)
	wantJSON(t, "POST /api/login", c.do("POST", u+"/api/login", `{"user":"alice"}`), 200, `{"user":"alice"}`)
	after := c.token(u)
	if after == before || len(after) != 43 {
		t.Fatalf("POST /api/login did not renew the token")
	}
	b.wantStored(t, "old token after login", before, false)
	b.wantStored(t, "new token after login", after, true)
	wantJSON(t, "GET /api/session with the token from before login",
		noJar(t).do("GET", u+"/api/session", "", "Cookie", "session="+before), 200, `{"user":null,"values":{}}`)

	// Cart.
	wantJSON(t, "POST /api/cart", c.do("POST", u+"/api/cart", `{"sku":"A1","qty":2}`), 200, `{"cart":[{"sku":"A1","qty":2}]}`)
	wantJSON(t, "POST /api/cart, same line", c.do("POST", u+"/api/cart", `{"sku":"A1","qty":3}`), 200, `{"cart":[{"sku":"A1","qty":5}]}`)
	wantJSON(t, "POST /api/cart, new line", c.do("POST", u+"/api/cart", `{"sku":"B2","qty":99}`), 200,
		`{"cart":[{"sku":"A1","qty":5},{"sku":"B2","qty":99}]}`)

	// Flash.
	wantStatus(t, "POST /api/flash", c.do("POST", u+"/api/flash", `{"message":"hi"}`), 204)
	wantStatus(t, "POST /api/flash again", c.do("POST", u+"/api/flash", `{"message":"there"}`), 204)
	wantJSON(t, "GET /api/flash", c.do("GET", u+"/api/flash", ""), 200, `{"messages":["hi","there"]}`)
	wantJSON(t, "GET /api/flash again", c.do("GET", u+"/api/flash", ""), 200, `{"messages":[]}`)

	wantJSON(t, "GET /api/session", c.do("GET", u+"/api/session", ""), 200, `{"user":"alice","values":{
		"visits":2,
		"obj":{"a":[1,2.5,"x",null,true,{"b":"c"}],"n":-12345678901234},
		"a.b-c_D9":0,
		"nil":null,
		"cart":[{"sku":"A1","qty":5},{"sku":"B2","qty":99}]}}`)

	// The page.
	r = c.do("GET", u+"/", "")
	wantStatus(t, "GET /", r, 200)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("GET /: Content-Type %q, want text/html", ct)
	}
	for _, s := range []string{`id="user">alice<`, `id="framework">` + a.fw + `<`, `id="visits">2<`, `>A1<`, `id="items">104<`, `action="/logout"`, `action="/cart"`, `action="/values"`} {
		if !strings.Contains(string(r.body), s) {
			t.Errorf("GET /: page lacks %s", s)
		}
	}

	// The forms: form-encoded POSTs that redirect back to the page.
	forms := []struct{ path, body string }{
		{"/cart", "sku=C3&qty=4"},
		{"/cart", "sku=C3&qty=100"}, // refused: flashed, not stored
		{"/values", "key=greeting&value=hello+world"},
		{"/values", "key=list&value=%5B1%2C2%5D"},
		{"/visits", ""},
		{"/login", "user=bob"},
	}
	for _, f := range forms {
		r = c.do("POST", u+f.path, f.body, "Content-Type", form)
		wantStatus(t, "POST "+f.path, r, http.StatusSeeOther)
		if loc := r.header.Get("Location"); loc != "/" {
			t.Fatalf("POST %s: Location %q, want /", f.path, loc)
		}
	}
	r = c.do("GET", u+"/", "")
	for _, s := range []string{"Added 4 × C3", "Error: qty must be", "Saved &#34;greeting&#34;", "Visit 3 counted", "Logged in as bob", `id="user">bob<`} {
		if !strings.Contains(string(r.body), s) {
			t.Errorf("GET / after the forms: page lacks %q", s)
		}
	}
	wantJSON(t, "GET /api/session after the forms", c.do("GET", u+"/api/session", ""), 200, `{"user":"bob","values":{
		"visits":3,
		"obj":{"a":[1,2.5,"x",null,true,{"b":"c"}],"n":-12345678901234},
		"a.b-c_D9":0,
		"nil":null,
		"greeting":"hello world",
		"list":[1,2],
		"cart":[{"sku":"A1","qty":5},{"sku":"B2","qty":99},{"sku":"C3","qty":4}]}}`)

	// Logout destroys the session and expires the cookie.
	tok := c.token(u)
	r = c.do("POST", u+"/api/logout", "")
	wantStatus(t, "POST /api/logout", r, 204)
	if ck := setCookie(r); ck == nil || ck.MaxAge >= 0 {
		t.Fatalf("POST /api/logout: Set-Cookie %q, want the session cookie expired", r.header.Values("Set-Cookie"))
	}
	b.wantStored(t, "after logout", tok, false)
	if c.token(u) != "" {
		t.Fatalf("the cookie jar still holds a session after logout")
	}
	wantJSON(t, "GET /api/session after logout", c.do("GET", u+"/api/session", ""), 200, `{"user":null,"values":{}}`)
	wantJSON(t, "GET /api/session with the token from before logout",
		noJar(t).do("GET", u+"/api/session", "", "Cookie", "session="+tok), 200, `{"user":null,"values":{}}`)

	// The form logout, too, ends the session; its flash starts a new one.
	c.do("POST", u+"/api/login", `{"user":"carol"}`)
	tok = c.token(u)
	wantStatus(t, "POST /logout", c.do("POST", u+"/logout", "", "Content-Type", form), http.StatusSeeOther)
	b.wantStored(t, "after the logout form", tok, false)
	wantJSON(t, "GET /api/flash after the logout form", c.do("GET", u+"/api/flash", ""), 200, `{"messages":["Logged out."]}`)

	wantError(t, "GET /api/nope", c.do("GET", u+"/api/nope", ""), 404)

	// The session work above shows in the metrics.
	m := c.do("GET", u+"/metrics", "")
	wantStatus(t, "GET /metrics", m, 200)
	for _, series := range []string{`sesskit_store_calls_total{operation="load",outcome="ok"}`,
		`sesskit_session_events_total{event="destroyed"}`, `sesskit_breaker_state{state="closed"} 1`,
		"sesskit_store_call_duration_seconds_bucket"} {
		if !strings.Contains(string(m.body), series) {
			t.Fatalf("GET /metrics lacks %s:\n%s", series, m.body)
		}
	}
}
