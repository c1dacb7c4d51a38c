package sessiontest

import (
	"bufio"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

var adapterCases = []struct {
	name string
	run  func(t *testing.T, r *adapterRun)
}{
	{"new session cookie", testAdapterNewCookie},
	{"untouched session", testAdapterUntouched},
	{"read", testAdapterRead},
	{"write and delete", testAdapterWrite},
	{"flash pop", testAdapterPop},
	{"renew", testAdapterRenew},
	{"destroy", testAdapterDestroy},
	{"header transport", testAdapterHeader},
	{"store failure", testAdapterStoreFailure},
	{"stream commits before the first byte", testAdapterStream},
	{"redirect", testAdapterRedirect},
	{"handler error", testAdapterFail},
	{"handler panic", testAdapterPanic},
	{"invalid tokens", testAdapterInvalidTokens},
	{"concurrent keys", testAdapterConcurrent},
	{"per-session lifetime", testAdapterLifetime},
}

func testAdapterNewCookie(t *testing.T, r *adapterRun) {
	const absolute = 2 * time.Hour
	for _, secure := range []bool{true, false} {
		t.Run(fmt.Sprintf("secure=%v", secure), func(t *testing.T) {
			opts := []session.Option{session.WithAbsoluteTimeout(absolute)}
			if !secure {
				opts = append(opts, session.WithInsecureCookie())
			}
			s := r.serve(t, opts...)
			before := s.counts()
			res := s.post(t, PlainPrefix+"set/a", "", `"1"`)
			res.wantStatus(t, "set a", http.StatusOK)
			s.wantCalls(t, "new session", before, 0, 1, 0)
			c := res.cookie(t)
			switch {
			case c == nil:
				t.Fatalf("no session cookie; Set-Cookie: %q", res.header.Values("Set-Cookie"))
			case len(c.Value) != 43:
				t.Errorf("token has %d characters, want 43", len(c.Value))
			case !c.HttpOnly:
				t.Error("cookie is not HttpOnly")
			case c.SameSite != http.SameSiteLaxMode:
				t.Errorf("SameSite = %v, want Lax", c.SameSite)
			case c.Path != "/":
				t.Errorf("Path = %q, want /", c.Path)
			case c.Secure != secure:
				t.Errorf("Secure = %v, want %v", c.Secure, secure)
			case c.MaxAge <= int((absolute-time.Minute)/time.Second) || c.MaxAge > int(absolute/time.Second):
				t.Errorf("Max-Age = %d, want about %d (the absolute timeout)", c.MaxAge, int(absolute/time.Second))
			}
			res.wantNoStore(t, "new session")
			s.wantValue(t, c.Value, "a", `"1"`)
		})
	}
}

func testAdapterUntouched(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)
	for _, tc := range []struct{ name, token string }{
		{"no token", ""},
		{"valid token", token},
		{"garbage token", "garbage"},
	} {
		before := s.counts()
		res := s.get(t, PlainPrefix+"none", tc.token)
		res.wantStatus(t, tc.name, http.StatusOK, "ok")
		res.wantNoToken(t, tc.name)
		if cc := res.header.Get("Cache-Control"); cc != "" {
			t.Errorf("%s: Cache-Control %q on a response that touches no session", tc.name, cc)
		}
		s.wantCalls(t, tc.name, before, 0, 0, 0)
	}
}

func testAdapterRead(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)

	before := s.counts()
	res := s.get(t, PlainPrefix+"get/a", token)
	res.wantStatus(t, "get a", http.StatusOK, `"1"`)
	res.wantNoToken(t, "read")
	s.wantCalls(t, "read", before, 1, 0, 0)

	before = s.counts()
	s.get(t, PlainPrefix+"get/missing", token).wantStatus(t, "get missing", http.StatusNotFound)
	s.get(t, PlainPrefix+"status", token).wantStatus(t, "status", http.StatusOK, "active")
	s.wantCalls(t, "reads", before, 2, 0, 0)

	before = s.counts()
	res = s.get(t, PlainPrefix+"get/a", "")
	res.wantStatus(t, "get a without a token", http.StatusNotFound)
	res.wantNoToken(t, "read without a token")
	s.wantCalls(t, "read without a token", before, 0, 0, 0)
}

func testAdapterWrite(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)

	before := s.counts()
	res := s.post(t, PlainPrefix+"set/b", token, `{"n":2}`)
	res.wantStatus(t, "set b", http.StatusOK)
	res.wantNoToken(t, "write to an existing session")
	s.wantCalls(t, "write", before, 0, 1, 0)
	s.wantValue(t, token, "b", `{"n":2}`)
	s.wantValue(t, token, "a", `"1"`)

	before = s.counts()
	s.post(t, PlainPrefix+"del/a", token, "").wantStatus(t, "del a", http.StatusOK)
	s.wantCalls(t, "delete", before, 0, 1, 0)
	s.wantValue(t, token, "a", "")
	s.wantValue(t, token, "b", `{"n":2}`)

	s.post(t, PlainPrefix+"set/@user", token, `"x"`).wantStatus(t, "reserved key", http.StatusBadRequest)
}

func testAdapterPop(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)
	s.post(t, PlainPrefix+"set/flash", token, `["hi"]`).wantStatus(t, "set flash", http.StatusOK)

	before := s.counts()
	s.post(t, PlainPrefix+"pop/flash", token, "").wantStatus(t, "pop flash", http.StatusOK, `["hi"]`)
	s.wantCalls(t, "pop", before, 0, 1, 0) // one atomic take of the key
	s.post(t, PlainPrefix+"pop/flash", token, "").wantStatus(t, "pop flash again", http.StatusNotFound)
	s.wantValue(t, token, "a", `"1"`)
}

func testAdapterRenew(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	old := s.newSession(t)

	before := s.counts()
	res := s.post(t, PlainPrefix+"renew", old, "")
	res.wantStatus(t, "renew", http.StatusOK)
	s.wantCalls(t, "renew", before, 0, 2, 0) // take the old key, create the new one
	token := res.token(t)
	res.wantNoStore(t, "renew")
	if token == old {
		t.Fatal("renew kept the token")
	}
	s.wantValue(t, token, "a", `"1"`)
	s.get(t, PlainPrefix+"status", old).wantStatus(t, "status with the old token", http.StatusOK, "new")
	s.wantValue(t, old, "a", "")
}

func testAdapterDestroy(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	token := s.newSession(t)

	before := s.counts()
	res := s.post(t, PlainPrefix+"destroy", token, "")
	res.wantStatus(t, "destroy", http.StatusOK)
	res.wantExpired(t, "destroy")
	res.wantNoStore(t, "destroy")
	s.wantCalls(t, "destroy", before, 0, 0, 1)
	s.wantValue(t, token, "a", "")
	s.get(t, PlainPrefix+"status", token).wantStatus(t, "status after destroy", http.StatusOK, "new")
}

func testAdapterHeader(t *testing.T, r *adapterRun) {
	s := r.serve(t, session.WithHeaderToken(adapterTokenHeader))
	headerToken := func(t *testing.T, what string, res adapterResp) string {
		t.Helper()
		if v := res.header.Values("Set-Cookie"); len(v) > 0 {
			t.Errorf("%s: Set-Cookie %q with header transport", what, v)
		}
		res.wantNoStore(t, what)
		tok := res.header.Get(adapterTokenHeader)
		if len(tok) != 43 {
			t.Fatalf("%s: %s response header %q, want a token", what, adapterTokenHeader, tok)
		}
		return tok
	}

	// A client of the header transport sends what it has (here nothing
	// valid) and gets its token back in the header.
	res := s.do(t, adapterReq{method: http.MethodPost, path: PlainPrefix + "set/a", body: `"1"`, header: "none-yet"})
	res.wantStatus(t, "set a", http.StatusOK)
	token := headerToken(t, "new session", res)

	get := func(token, key string) adapterResp {
		return s.do(t, adapterReq{method: http.MethodGet, path: PlainPrefix + "get/" + key, header: token})
	}
	res = get(token, "a")
	res.wantStatus(t, "get a", http.StatusOK, `"1"`)
	res.wantNoToken(t, "read")

	res = s.do(t, adapterReq{method: http.MethodPost, path: PlainPrefix + "renew", header: token})
	res.wantStatus(t, "renew", http.StatusOK)
	renewed := headerToken(t, "renew", res)
	if renewed == token {
		t.Fatal("renew kept the token")
	}
	get(renewed, "a").wantStatus(t, "get a with the renewed token", http.StatusOK, `"1"`)
	get(token, "a").wantStatus(t, "get a with the old token", http.StatusNotFound)

	res = s.do(t, adapterReq{method: http.MethodPost, path: PlainPrefix + "destroy", header: renewed})
	res.wantStatus(t, "destroy", http.StatusOK)
	if v := res.header.Values("Set-Cookie"); len(v) > 0 {
		t.Errorf("destroy: Set-Cookie %q with header transport", v)
	}
	if v := res.header.Get(adapterTokenHeader); v != "" {
		t.Errorf("destroy: %s response header %q, want it empty", adapterTokenHeader, v)
	}
	get(renewed, "a").wantStatus(t, "get a after destroy", http.StatusNotFound)
}

func testAdapterStoreFailure(t *testing.T, r *adapterRun) {
	for _, tc := range []struct {
		name, method, path string
		existing           bool // send the token of a session made before the store failed
		status             int
	}{
		{"new visitor writes", http.MethodPost, PlainPrefix + "set/b", false, http.StatusServiceUnavailable},
		{"read", http.MethodGet, PlainPrefix + "get/a", true, http.StatusServiceUnavailable},
		{"write", http.MethodPost, PlainPrefix + "set/b", true, http.StatusServiceUnavailable},
		{"renew", http.MethodPost, PlainPrefix + "renew", true, http.StatusServiceUnavailable},
		{"destroy", http.MethodPost, PlainPrefix + "destroy", true, http.StatusServiceUnavailable},
		{"incr", http.MethodPost, PlainPrefix + "incr/n", true, http.StatusServiceUnavailable},
		{"untouched session", http.MethodGet, PlainPrefix + "none", true, http.StatusOK},
		{"stream", http.MethodGet, StreamPath, false, http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := r.serve(t)
			var token string
			if tc.existing {
				token = s.newSession(t)
			}
			s.store.Fail()
			res := s.do(t, adapterReq{method: tc.method, path: tc.path, cookie: token, body: `"2"`})
			res.wantStatus(t, tc.name, tc.status)
			res.wantNoToken(t, tc.name)
			for _, secret := range []string{token, "injected", "store unavailable", "session:"} {
				if secret != "" && strings.Contains(res.body, secret) {
					t.Errorf("%s: body %q reveals %q", tc.name, res.body, secret)
				}
			}
			if tc.existing {
				s.store.Heal()
				s.wantValue(t, token, "a", `"1"`)
				s.wantValue(t, token, "b", "")
			}
		})
	}
}

// adapterStuck bounds how long the stream case waits for response headers
// once the handler has flushed its first chunk and blocked. It detects an
// adapter that holds the response until the handler returns (a deadlock
// otherwise); it is not a performance limit.
const adapterStuck = 10 * time.Second

func testAdapterStream(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	gate := adapterNewGate(t)
	before := s.counts()
	type result struct {
		res *http.Response
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := s.client.Do(s.newRequest(t, adapterReq{method: http.MethodGet, path: StreamPath + "?" + GateParam + "=" + gate.id}))
		done <- result{res, err}
	}()
	var got result
	select {
	case got = <-done:
	case <-gate.arrived:
		select {
		case got = <-done:
		case <-time.After(adapterStuck):
			gate.Open()
			t.Fatalf("no response headers %v after the handler flushed its first chunk: the adapter holds the response until the handler returns", adapterStuck)
		}
	}
	if got.err != nil {
		t.Fatal(got.err)
	}
	res := got.res
	defer res.Body.Close()
	// The handler is still blocked at the gate: these headers left with
	// the first chunk.
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", res.StatusCode)
	}
	head := adapterResp{status: res.StatusCode, header: res.Header}
	token := head.token(t)
	head.wantNoStore(t, "stream")
	br := bufio.NewReader(res.Body)
	if line := adapterReadLine(t, br); line != "first\n" {
		t.Fatalf("first chunk %q, want %q", line, "first\n")
	}
	s.wantCalls(t, "stream, before the handler returns", before, 0, 1, 0)
	gate.Open()
	if line := adapterReadLine(t, br); line != "last\n" {
		t.Fatalf("last chunk %q, want %q", line, "last\n")
	}
	res.Body.Close()
	s.wantCalls(t, "stream", before, 0, 1, 0)
	s.wantValue(t, token, "stream", `"on"`)
}

func testAdapterRedirect(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	before := s.counts()
	res := s.get(t, RedirectPath, "")
	res.wantStatus(t, "redirect", http.StatusFound)
	if loc := res.header.Get("Location"); !strings.HasSuffix(loc, PlainPrefix+"none") {
		t.Errorf("Location %q, want %s", loc, PlainPrefix+"none")
	}
	token := res.token(t)
	res.wantNoStore(t, "redirect")
	s.wantCalls(t, "redirect", before, 0, 1, 0)
	s.wantValue(t, token, "redirect", `"on"`)
}

func testAdapterFail(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	existing := s.newSession(t)
	for _, tc := range []struct{ name, token string }{{"new session", ""}, {"existing session", existing}} {
		before := s.counts()
		res := s.get(t, FailPath, tc.token)
		res.wantStatus(t, tc.name, FailStatus)
		if r.a.FailDiscards {
			res.wantNoToken(t, tc.name)
			s.wantCalls(t, tc.name, before, 0, 0, 0)
			if tc.token != "" {
				s.wantValue(t, tc.token, "fail", "")
			}
			continue
		}
		s.wantCalls(t, tc.name, before, 0, 1, 0)
		token := tc.token
		if token == "" {
			token = res.token(t)
		} else {
			res.wantNoToken(t, tc.name)
		}
		s.wantValue(t, token, "fail", `"on"`)
	}
}

func testAdapterPanic(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	existing := s.newSession(t)
	for _, tc := range []struct{ name, token string }{{"new session", ""}, {"existing session", existing}} {
		before := s.counts()
		res := s.get(t, PanicPath, tc.token)
		res.wantStatus(t, tc.name, http.StatusInternalServerError)
		res.wantNoToken(t, tc.name)
		s.wantCalls(t, tc.name, before, 0, 0, 0)
	}
	s.wantValue(t, existing, "panic", "")
	s.wantValue(t, existing, "a", `"1"`)
}

func testAdapterInvalidTokens(t *testing.T, r *adapterRun) {
	s := r.serve(t)
	valid := s.newSession(t)
	for _, tc := range []struct{ name, token string }{
		{"garbage", "garbage"},
		{"one short", valid[:42]},
		{"one long", valid + "A"},
		{"bad character", "!" + valid[1:]},
		{"non-canonical last character", valid[:42] + "B"},
		{"padded", valid[:41] + "=="},
		{"oversized", strings.Repeat("A", 4000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.token == valid {
				t.Fatal("the case token equals the valid one")
			}
			before := s.counts()
			res := s.get(t, PlainPrefix+"get/a", tc.token)
			res.wantStatus(t, "read", http.StatusNotFound)
			if res.cookie(t) != nil {
				res.wantExpired(t, "read with a bad token")
			}
			s.wantCalls(t, "read", before, 0, 0, 0)

			before = s.counts()
			res = s.post(t, PlainPrefix+"set/b", tc.token, `"2"`)
			res.wantStatus(t, "write", http.StatusOK)
			if fresh := res.token(t); fresh == tc.token || fresh == valid {
				t.Error("write with a bad token did not get a fresh token")
			}
			s.wantCalls(t, "write", before, 0, 1, 0)
		})
	}
	s.wantValue(t, valid, "b", "")
}

func testAdapterConcurrent(t *testing.T, r *adapterRun) {
	const n = 16
	s := r.serve(t)
	token := s.newSession(t)
	before := s.counts()
	var wg sync.WaitGroup
	results := make([]adapterResp, n)
	for i := range n {
		wg.Go(func() {
			q := adapterReq{method: http.MethodPost, path: fmt.Sprintf("%sset/k%d", PlainPrefix, i), cookie: token, body: fmt.Sprint(i)}
			res, err := s.client.Do(s.newRequest(t, q))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			results[i] = adapterResp{status: res.StatusCode, header: res.Header}
		})
	}
	wg.Wait()
	for i, res := range results {
		if res.status != http.StatusOK {
			t.Fatalf("request %d: status %d", i, res.status)
		}
		res.wantNoToken(t, fmt.Sprintf("request %d", i))
	}
	s.wantCalls(t, "concurrent writes", before, 0, n, 0)

	want := []string{"a"}
	for i := range n {
		want = append(want, fmt.Sprintf("k%d", i))
	}
	slices.Sort(want)
	res := s.get(t, PlainPrefix+"keys", token)
	res.wantStatus(t, "keys", http.StatusOK)
	if got := `["` + strings.Join(want, `","`) + `"]`; res.body != got {
		t.Errorf("keys %s, want %s", res.body, got)
	}
}

// testAdapterLifetime checks a session's own lifetime (SetLifetime): its
// cookie becomes persistent even with WithBrowserSessionCookie, it outlives
// the Manager's absolute timeout, a renewal keeps it, and the ceiling
// refuses more.
func testAdapterLifetime(t *testing.T, r *adapterRun) {
	const absolute, own = time.Hour, 30 * 24 * time.Hour
	s := r.serve(t, session.WithAbsoluteTimeout(absolute), session.WithBrowserSessionCookie(),
		session.WithMaxLifetime(0, own))
	token, plain := s.newSession(t), s.newSession(t)

	s.post(t, PlainPrefix+"lifetime/0/"+(own+time.Hour).String(), token, "").
		wantStatus(t, "lifetime beyond the ceiling", http.StatusBadRequest, "bad lifetime")
	before := s.counts()
	res := s.post(t, PlainPrefix+"lifetime/0/"+own.String(), token, "")
	res.wantStatus(t, "lifetime", http.StatusOK)
	s.wantCalls(t, "lifetime", before, 1, 1, 0) // read once for the creation time, then one write
	c := res.cookie(t)
	switch {
	case c == nil:
		t.Fatal("lifetime: no cookie with the new Max-Age")
	case c.Value != token:
		t.Fatal("lifetime: the token changed")
	case c.MaxAge < int((own-time.Minute)/time.Second) || c.MaxAge > int(own/time.Second):
		t.Fatalf("lifetime: Max-Age %d s, want about %v (persistent, despite WithBrowserSessionCookie)", c.MaxAge, own)
	}
	res = s.get(t, PlainPrefix+"expires", token)
	res.wantStatus(t, "expires", http.StatusOK)
	if at, _ := strconv.ParseInt(res.body, 10, 64); at < time.Now().Add(own-time.Minute).Unix() || at > time.Now().Add(own).Unix() {
		t.Errorf("Expires = %s, want about %v from now", res.body, own)
	}

	s.clock.advance(2 * absolute)
	s.wantValue(t, plain, "a", "")    // the Manager's absolute timeout
	s.wantValue(t, token, "a", `"1"`) // its own
	res = s.post(t, PlainPrefix+"renew", token, "")
	res.wantStatus(t, "renew", http.StatusOK)
	c = res.cookie(t)
	if c == nil || c.MaxAge < int((own-2*absolute-time.Minute)/time.Second) || c.MaxAge > int((own-2*absolute)/time.Second) {
		t.Fatalf("renewed cookie %v, want Max-Age about %v: a renewal keeps the lifetime", c, own-2*absolute)
	}
	s.wantValue(t, c.Value, "a", `"1"`)
	s.post(t, PlainPrefix+"lifetime/0/0", c.Value, "").wantStatus(t, "back to the Manager's lifetime", http.StatusOK)
	s.wantValue(t, c.Value, "a", "") // 2h old: past the Manager's absolute timeout
}
