package sessiontest

import (
	"bufio"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// Adapter describes a framework adapter to TestAdapter.
type Adapter struct {
	// Serve builds a router of the adapter's framework with the adapter's
	// middleware over m and the routes described at PlainPrefix, serves it
	// on a real listener on 127.0.0.1 until the test ends (t.Cleanup), and
	// returns the base URL, "http://127.0.0.1:PORT". The framework's panic
	// recovery middleware goes outside the session middleware. Adapters on
	// net/http can finish with ServeHandler. Serve is called once per case.
	Serve func(t *testing.T, m *session.Manager) (baseURL string)

	// FailDiscards says the adapter documents that a handler error
	// (FailPath) drops the request's session changes. By default the suite
	// expects them saved, as for any other response.
	FailDiscards bool

	// Stores are the stores to run on; nil means Stores().
	Stores []NamedStore
}

// TestAdapter runs the adapter conformance suite: for each store, one
// subtest per case, each against its own server and Manager over a store
// wrapper that counts and can fail calls. It drives the adapter over real
// HTTP and checks, through the responses and the store calls:
//
//   - a new session's cookie: name, HttpOnly, SameSite=Lax, Path=/, Secure
//     as configured, Max-Age from the absolute timeout, Cache-Control:
//     no-store;
//   - read, write, delete and flash pop, with one store save per changed
//     request and none for a read;
//   - renew (new token, data kept, old token useless) and destroy (cookie
//     expired, old token useless);
//   - header transport (WithHeaderToken): token in, token out, no cookie;
//   - store failures answered by the error handler with 503 and no token or
//     error text;
//   - untouched sessions: no store call, no Set-Cookie;
//   - commit before the first byte of a streamed response, on redirects and
//     on the framework's error path;
//   - handler panics: 500 from the recovery middleware, nothing saved, no
//     Set-Cookie;
//   - invalid, garbage and oversized tokens never reach the store;
//   - concurrent requests changing different keys of one session all
//     survive.
func TestAdapter(t *testing.T, a Adapter) {
	t.Helper()
	stores := a.Stores
	if stores == nil {
		stores = Stores()
	}
	for _, st := range stores {
		t.Run(st.Name, func(t *testing.T) {
			st.New(t) // skips or fails once here when the store is not configured
			for _, c := range slices.Concat(adapterCases, adapterLifecycleCases, adapterUserCases) {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					c.run(t, &adapterRun{a: a, newStore: st.New})
				})
			}
		})
	}
}

// adapterRun is one case's view of the adapter and store under test.
type adapterRun struct {
	a        Adapter
	newStore func(tb testing.TB) session.Store
}

// adapterServer is one running server with its Manager and counted store.
type adapterServer struct {
	base   string
	store  *FaultStore
	client *http.Client
	clock  *adapterClock // the Manager's
}

// adapterClock is the real time plus an offset the case moves forward.
type adapterClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *adapterClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// advance moves the Manager's clock forward by d.
func (c *adapterClock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// serve starts the adapter over a fresh store and a Manager with opts.
func (r *adapterRun) serve(t *testing.T, opts ...session.Option) *adapterServer {
	t.Helper()
	st := &FaultStore{Store: r.newStore(t)}
	clock := &adapterClock{}
	quiet := session.WithLogger(slog.New(slog.DiscardHandler))
	m, err := session.New(st, append([]session.Option{quiet, session.WithClock(clock.Now)}, opts...)...)
	if err != nil {
		t.Fatalf("session.New: %v", err)
	}
	srv := &adapterServer{base: r.a.Serve(t, m), store: st, clock: clock}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	srv.client = &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return srv
}

// adapterReq is one request of a case.
type adapterReq struct {
	method, path, body string
	cookie             string // session cookie value to send, if any
	remember           string // remember-me cookie value to send, if any
	header             string // X-Session-Token value to send, if any
}

// adapterResp is a response read in full.
type adapterResp struct {
	status int
	header http.Header
	body   string
}

// adapterTokenHeader is the header of the header-transport cases.
const adapterTokenHeader = "X-Session-Token"

// adapterRememberCookie is the remember-me cookie of the remember cases.
const adapterRememberCookie = "remember"

func (s *adapterServer) newRequest(t *testing.T, q adapterReq) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), q.method, s.base+q.path, strings.NewReader(q.body))
	if err != nil {
		t.Fatal(err)
	}
	var cookies []string
	if q.cookie != "" {
		// Set by hand: http.Cookie would drop values it considers invalid.
		cookies = append(cookies, session.DefaultCookieName+"="+q.cookie)
	}
	if q.remember != "" {
		cookies = append(cookies, adapterRememberCookie+"="+q.remember)
	}
	if len(cookies) > 0 {
		req.Header.Set("Cookie", strings.Join(cookies, "; "))
	}
	if q.header != "" {
		req.Header.Set(adapterTokenHeader, q.header)
	}
	return req
}

// do sends q and reads the whole response.
func (s *adapterServer) do(t *testing.T, q adapterReq) adapterResp {
	t.Helper()
	res, err := s.client.Do(s.newRequest(t, q))
	if err != nil {
		t.Fatalf("%s %s: %v", q.method, q.path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", q.method, q.path, err)
	}
	return adapterResp{status: res.StatusCode, header: res.Header, body: string(body)}
}

// get and post are do for the common requests, with a token in the cookie.
func (s *adapterServer) get(t *testing.T, path, token string) adapterResp {
	t.Helper()
	return s.do(t, adapterReq{method: http.MethodGet, path: path, cookie: token})
}

func (s *adapterServer) post(t *testing.T, path, token, body string) adapterResp {
	t.Helper()
	return s.do(t, adapterReq{method: http.MethodPost, path: path, cookie: token, body: body})
}

// counts returns the store calls so far: loads, writes, deletes.
func (s *adapterServer) counts() [3]int64 {
	return [3]int64{s.store.Calls(OpLoad), s.store.Calls(Writes...), s.store.Calls(OpDelete)}
}

// wantCalls checks the store calls since before: loads, writes, deletes.
func (s *adapterServer) wantCalls(t *testing.T, what string, before [3]int64, loads, writes, deletes int64) {
	t.Helper()
	now := s.counts()
	got := [3]int64{now[0] - before[0], now[1] - before[1], now[2] - before[2]}
	if want := [3]int64{loads, writes, deletes}; got != want {
		t.Errorf("%s: store calls (load, write, delete) = %v, want %v", what, got, want)
	}
}

// cookie returns the response's session cookie, or nil.
func (r adapterResp) cookie(t *testing.T) *http.Cookie {
	t.Helper()
	return r.namedCookie(t, session.DefaultCookieName)
}

// namedCookie returns the response's cookie called name, or nil.
func (r adapterResp) namedCookie(t *testing.T, name string) *http.Cookie {
	t.Helper()
	var found *http.Cookie
	for _, line := range r.header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatalf("unparsable Set-Cookie %q: %v", line, err)
		}
		if c.Name == name {
			if found != nil {
				t.Fatalf("two session cookies in one response: %q", r.header.Values("Set-Cookie"))
			}
			found = c
		}
	}
	return found
}

// token returns the token of the new session cookie the response must set.
func (r adapterResp) token(t *testing.T) string {
	t.Helper()
	c := r.cookie(t)
	if c == nil || c.Value == "" || c.MaxAge < 0 {
		t.Fatalf("response (status %d) sets no session cookie; Set-Cookie: %q", r.status, r.header.Values("Set-Cookie"))
	}
	return c.Value
}

// wantStatus checks the status and optionally the body.
func (r adapterResp) wantStatus(t *testing.T, what string, status int, body ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d (body %q), want %d", what, r.status, r.body, status)
	}
	if len(body) > 0 && r.body != body[0] {
		t.Fatalf("%s: body %q, want %q", what, r.body, body[0])
	}
}

// wantNoToken checks the response sends no token, by cookie or header.
func (r adapterResp) wantNoToken(t *testing.T, what string) {
	t.Helper()
	if v := r.header.Values("Set-Cookie"); len(v) > 0 {
		t.Errorf("%s: Set-Cookie %q, want none", what, v)
	}
	if v := r.header.Values(adapterTokenHeader); len(v) > 0 {
		t.Errorf("%s: %s header %q, want none", what, adapterTokenHeader, v)
	}
}

// wantExpired checks the response expires the session cookie.
func (r adapterResp) wantExpired(t *testing.T, what string) {
	t.Helper()
	c := r.cookie(t)
	if c == nil || c.Value != "" || c.MaxAge >= 0 {
		t.Errorf("%s: Set-Cookie %q, want the session cookie expired (empty, Max-Age=0)", what, r.header.Values("Set-Cookie"))
	}
}

// wantNoStore checks the Cache-Control of a response that sends a token.
func (r adapterResp) wantNoStore(t *testing.T, what string) {
	t.Helper()
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("%s: Cache-Control %q, want no-store", what, got)
	}
}

// newSession creates a session holding a="1" and returns its token.
func (s *adapterServer) newSession(t *testing.T) string {
	t.Helper()
	r := s.post(t, PlainPrefix+"set/a", "", `"1"`)
	r.wantStatus(t, "set a", http.StatusOK)
	return r.token(t)
}

// wantValue checks what the session behind token holds under key; want ""
// means absent.
func (s *adapterServer) wantValue(t *testing.T, token, key, want string) {
	t.Helper()
	r := s.get(t, PlainPrefix+"get/"+key, token)
	if want == "" {
		r.wantStatus(t, "get "+key, http.StatusNotFound)
		return
	}
	r.wantStatus(t, "get "+key, http.StatusOK, want)
}

// adapterReadLine reads one line of a streamed body.
func adapterReadLine(t *testing.T, br *bufio.Reader) string {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("read streamed body: %v (got %q)", err, line)
	}
	return line
}
