package sessfiberv3_test

import (
	"bufio"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v3"
	fiberrecover "github.com/gofiber/fiber/v3/middleware/recover"
	"github.com/gofiber/utils/v2"
	sessfiberv3 "github.com/sesskit/sesskit/adapters/fiberv3"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// routes installs the handlers the tests drive.
func routes(app *fiber.App) {
	app.Get("/none", func(c fiber.Ctx) error { return c.SendString("none") })
	app.Post("/set/:k/:v", func(c fiber.Ctx) error {
		// c.Params aliases fasthttp's buffers, reused after the request;
		// memstore keeps keys, so copy them (see TestParamKeyAliasing).
		return sessfiberv3.From(c).Set(utils.CopyString(c.Params("k")), c.Params("v"))
	})
	app.Get("/get/:k", func(c fiber.Ctx) error {
		v, err := session.Get[string](sessfiberv3.From(c), c.Params("k"))
		if errors.Is(err, session.ErrNoValue) {
			return c.SendStatus(fiber.StatusNotFound)
		}
		if err != nil {
			return err
		}
		return c.SendString(v)
	})
	app.Get("/ctx/:k", func(c fiber.Ctx) error {
		v, err := session.Get[string](session.FromContext(c.Context()), c.Params("k"))
		if err != nil {
			return err
		}
		return c.SendString(v)
	})
	app.Post("/renew", func(c fiber.Ctx) error { return sessfiberv3.From(c).Renew(c.Context()) })
	app.Post("/logout", func(c fiber.Ctx) error { return sessfiberv3.From(c).Destroy(c.Context()) })
	app.Post("/teapot", func(c fiber.Ctx) error {
		if err := sessfiberv3.From(c).Set("tried", "yes"); err != nil {
			return err
		}
		return fiber.NewError(fiber.StatusTeapot, "teapot")
	})
	app.Post("/panic", func(c fiber.Ctx) error {
		_ = sessfiberv3.From(c).Set("half", "done")
		panic("boom")
	})
	app.Post("/stream", func(c fiber.Ctx) error {
		if err := sessfiberv3.From(c).Set("streamed", "yes"); err != nil {
			return err
		}
		return c.SendStreamWriter(func(w *bufio.Writer) {
			for i := range 3 {
				fmt.Fprintf(w, "chunk%d;", i)
				_ = w.Flush()
			}
		})
	})
	app.Post("/appcookies", func(c fiber.Ctx) error {
		c.Cookie(&fiber.Cookie{Name: "theme", Value: "dark", Path: "/"})
		// Not c.Append: it folds Set-Cookie lines into one with ", ".
		c.Response().Header.Add(fiber.HeaderSetCookie, "raw=1; Path=/raw; Partitioned; Secure")
		if err := sessfiberv3.From(c).Set("k", "v"); err != nil {
			return err
		}
		c.Cookie(&fiber.Cookie{Name: "lang", Value: "en"})
		return nil
	})
}

func newServer(t *testing.T, m *session.Manager, opts ...sessfiberv3.Option) string {
	t.Helper()
	app := newApp()
	app.Use(fiberrecover.New())
	app.Use(sessfiberv3.Middleware(m, opts...))
	routes(app)
	return serve(t, app)
}

func TestLifecycle(t *testing.T) {
	m, st := newManager(t)
	url := newServer(t, m)

	if r := do(t, "GET", url+"/none", nil); r.status != 200 || len(r.cookies()) != 0 || r.header.Get("Cache-Control") != "" {
		t.Fatalf("untouched request: %d %q %q", r.status, r.cookies(), r.header.Get("Cache-Control"))
	}
	if r := do(t, "GET", url+"/get/a", nil); r.status != 404 || len(r.cookies()) != 0 {
		t.Fatalf("read without session: %d %q", r.status, r.cookies())
	}
	if st.Len() != 0 {
		t.Fatalf("store holds %d sessions after reads, want 0", st.Len())
	}

	r := do(t, "POST", url+"/set/a/1", nil)
	if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("set: %d, Cache-Control %q", r.status, r.header.Get("Cache-Control"))
	}
	tok := sessionToken(t, r)
	ck := "session=" + tok

	if r := do(t, "GET", url+"/get/a", nil, "Cookie", ck); r.status != 200 || r.body != "1" || len(r.cookies()) != 0 {
		t.Fatalf("get: %d %q %q", r.status, r.body, r.cookies())
	}
	if r := do(t, "GET", url+"/ctx/a", nil, "Cookie", "other=x; "+ck); r.status != 200 || r.body != "1" {
		t.Fatalf("get through c.Context(): %d %q", r.status, r.body)
	}
	if r := do(t, "POST", url+"/set/b/2", nil, "Cookie", ck); r.status != 200 || len(r.cookies()) != 0 {
		t.Fatalf("change: %d %q", r.status, r.cookies())
	}

	r = do(t, "POST", url+"/renew", nil, "Cookie", ck)
	renewed := sessionToken(t, r)
	if renewed == tok {
		t.Fatal("renew kept the token")
	}
	if r := do(t, "GET", url+"/get/b", nil, "Cookie", ck); r.status != 404 {
		t.Fatalf("old token after renew: %d %q", r.status, r.body)
	}
	ck = "session=" + renewed
	if r := do(t, "GET", url+"/get/b", nil, "Cookie", ck); r.body != "2" {
		t.Fatalf("renewed token: %d %q", r.status, r.body)
	}

	r = do(t, "POST", url+"/logout", nil, "Cookie", ck)
	if got := r.cookies(); len(got) != 1 || !strings.HasPrefix(got[0], "session=;") || !strings.Contains(got[0], "Max-Age=0") {
		t.Fatalf("logout cookies = %q, want one expiring session cookie", got)
	}
	if r := do(t, "GET", url+"/get/a", nil, "Cookie", ck); r.status != 404 {
		t.Fatalf("after logout: %d %q", r.status, r.body)
	}
	if st.Len() != 0 {
		t.Fatalf("store holds %d sessions after logout, want 0", st.Len())
	}
}

// TestSetCookieExact checks that the Set-Cookie lines leave fasthttp byte
// for byte as net/http sends them, for every cookie shape, and that the
// application's own cookies survive next to them.
func TestSetCookieExact(t *testing.T) {
	tests := []struct {
		name string
		opts []session.Option
	}{
		{"default", nil},
		{"partitioned", []session.Option{session.WithCookiePartitioned(), session.WithCookieSameSite(http.SameSiteNoneMode)}},
		{"host prefix", []session.Option{session.WithCookieName("__Host-sid")}},
		{"browser session, domain, path", []session.Option{session.WithBrowserSessionCookie(), session.WithCookieDomain("example.com"), session.WithCookiePath("/app")}},
		{"insecure strict", []session.Option{session.WithInsecureCookie(), session.WithCookieSameSite(http.SameSiteStrictMode)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newManager(t, tt.opts...)
			want := netHTTPCookies(t, m)
			if len(want) != 2 {
				t.Fatalf("net/http sent %q, want issue and expire lines", want)
			}
			url := newServer(t, m)

			r := do(t, "POST", url+"/set/k/v", nil)
			got := r.cookies()
			if len(got) != 1 || maskToken(got[0]) != want[0] {
				t.Fatalf("issue line:\n got %q\nwant %q", got, want[0])
			}
			name, tok, _ := strings.Cut(strings.SplitN(got[0], ";", 2)[0], "=")
			r = do(t, "POST", url+"/logout", nil, "Cookie", name+"="+tok)
			if got := r.cookies(); len(got) != 1 || got[0] != want[1] {
				t.Fatalf("expire line:\n got %q\nwant %q", got, want[1])
			}
		})
	}

	t.Run("next to application cookies", func(t *testing.T) {
		m, _ := newManager(t, session.WithCookiePartitioned())
		url := newServer(t, m)
		r := do(t, "POST", url+"/appcookies", nil)
		got := r.cookies()
		var rest []string
		for _, line := range got {
			if !strings.HasPrefix(line, "session=") {
				rest = append(rest, line)
			}
		}
		slices.Sort(rest)
		wantRest := []string{"lang=en; path=/; SameSite=Lax", "raw=1; Path=/raw; Partitioned; Secure", "theme=dark; path=/; SameSite=Lax"}
		if !slices.Equal(rest, wantRest) {
			t.Errorf("application cookies = %q, want %q", rest, wantRest)
		}
		if tok := sessionToken(t, r); !strings.HasSuffix(got[len(got)-1], "; Partitioned") || !strings.Contains(got[len(got)-1], tok) {
			t.Errorf("session cookie is not the last, Partitioned line: %q", got)
		}
	})
}

// netHTTPCookies returns the Set-Cookie lines the net/http middleware of m
// sends when a value is set and when the session is destroyed, tokens masked.
func netHTTPCookies(t *testing.T, m *session.Manager) []string {
	t.Helper()
	var lines []string
	set := sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromContext(r.Context()).Set("k", "v"); err != nil {
			t.Fatal(err)
		}
	}))
	rec := httptest.NewRecorder()
	set.ServeHTTP(rec, httptest.NewRequest("POST", "/", nil))
	issued := rec.Header().Values("Set-Cookie")
	for _, l := range issued {
		lines = append(lines, maskToken(l))
	}
	name, tok, _ := strings.Cut(strings.SplitN(issued[0], ";", 2)[0], "=")
	destroy := sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromContext(r.Context()).Destroy(r.Context()); err != nil {
			t.Fatal(err)
		}
	}))
	rec = httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Cookie", name+"="+tok)
	destroy.ServeHTTP(rec, req)
	return append(lines, rec.Header().Values("Set-Cookie")...)
}

func TestHeaderToken(t *testing.T) {
	const h = "X-Session-Token"
	m, _ := newManager(t, session.WithHeaderToken(h))
	url := newServer(t, m)

	// A request that offers the header (even an invalid token) is answered
	// in the header.
	r := do(t, "POST", url+"/set/a/1", nil, h, "not-a-token")
	tok := r.header.Get(h)
	if len(tok) != 43 || len(r.cookies()) != 0 || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("header session: token %q, cookies %q, Cache-Control %q", tok, r.cookies(), r.header.Get("Cache-Control"))
	}
	if r := do(t, "GET", url+"/get/a", nil, strings.ToLower(h), tok); r.body != "1" || r.header.Get(h) != "" {
		t.Fatalf("header read: %d %q, answered %q", r.status, r.body, r.header.Get(h))
	}
	r = do(t, "POST", url+"/logout", nil, h, tok)
	if v, ok := r.header[h]; !ok || len(v) != 1 || v[0] != "" || len(r.cookies()) != 0 {
		t.Fatalf("logout answered %s %q (present %v), cookies %q; want one empty header", h, v, ok, r.cookies())
	}
	// A cookie wins over the header.
	r = do(t, "POST", url+"/set/a/2", nil)
	ck := sessionToken(t, r)
	if r := do(t, "GET", url+"/get/a", nil, "Cookie", "session="+ck, h, tok); r.body != "2" {
		t.Fatalf("cookie and header: %d %q", r.status, r.body)
	}
}

func TestHandlerErrorCommits(t *testing.T) {
	m, _ := newManager(t)
	url := newServer(t, m)
	r := do(t, "POST", url+"/teapot", nil)
	if r.status != fiber.StatusTeapot || r.body != "teapot" {
		t.Fatalf("error response: %d %q", r.status, r.body)
	}
	tok := sessionToken(t, r)
	if r := do(t, "GET", url+"/get/tried", nil, "Cookie", "session="+tok); r.body != "yes" {
		t.Fatalf("value set before the error: %d %q", r.status, r.body)
	}
}

func TestPanicDiscards(t *testing.T) {
	m, st := newManager(t)
	url := newServer(t, m)
	r := do(t, "POST", url+"/set/a/1", nil)
	ck := "session=" + sessionToken(t, r)

	for _, cookie := range []string{"", ck} {
		r := do(t, "POST", url+"/panic", nil, "Cookie", cookie)
		if r.status != 500 || len(r.cookies()) != 0 || r.header.Get("Cache-Control") != "" {
			t.Fatalf("panic (cookie %v): %d, cookies %q, Cache-Control %q", cookie != "", r.status, r.cookies(), r.header.Get("Cache-Control"))
		}
	}
	if r := do(t, "GET", url+"/get/half", nil, "Cookie", ck); r.status != 404 {
		t.Fatalf("value set before the panic was saved: %d %q", r.status, r.body)
	}
	if st.Len() != 1 {
		t.Fatalf("store holds %d sessions, want 1", st.Len())
	}
}

func TestStreamedBody(t *testing.T) {
	m, _ := newManager(t)
	url := newServer(t, m)
	r := do(t, "POST", url+"/stream", nil)
	if r.status != 200 || r.body != "chunk0;chunk1;chunk2;" || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("stream: %d %q, Cache-Control %q", r.status, r.body, r.header.Get("Cache-Control"))
	}
	tok := sessionToken(t, r)
	if r := do(t, "GET", url+"/get/streamed", nil, "Cookie", "session="+tok); r.body != "yes" {
		t.Fatalf("value set by the streaming handler: %d %q", r.status, r.body)
	}
}

func TestCommitFailure(t *testing.T) {
	st := flakyStore(newStore())
	// No breaker: the case fails the store many times over and checks each
	// answer; the breaker has its own tests.
	m, err := session.New(st, session.WithMaxSessionSize(200+2*session.FieldOverhead), session.WithMaxValueSize(150), session.WithBreaker(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var handled []error
	custom := sessfiberv3.WithErrorHandler(func(c fiber.Ctx, err error) error {
		handled = append(handled, err)
		return c.Status(599).JSON(fiber.Map{"error": "session"})
	})
	url := newServer(t, m)
	customURL := newServer(t, m, custom)

	r := do(t, "POST", url+"/set/a/1", nil)
	tok := sessionToken(t, r)
	ck := "session=" + tok

	// The session is loaded by the handler and the store fails: the handler
	// answers whatever, the error handler replaces it.
	st.Fail(sessiontest.OpLoad)
	r = do(t, "GET", url+"/get/a", nil, "Cookie", ck)
	if r.status != 503 || r.body != "Service Unavailable" || r.header.Get("Content-Type") != "text/plain; charset=utf-8" || len(r.cookies()) != 0 {
		t.Fatalf("load failure: %d %q %q %q", r.status, r.body, r.header.Get("Content-Type"), r.cookies())
	}
	mustNotLeak(t, r, tok)
	r = do(t, "GET", customURL+"/get/a", nil, "Cookie", ck)
	if r.status != 599 || r.body != `{"error":"session"}` || len(handled) != 1 || !errors.Is(handled[0], session.ErrUnavailable) {
		t.Fatalf("custom handler: %d %q, handled %v", r.status, r.body, handled)
	}
	// The default hands a bare *fiber.Error to the application's
	// ErrorHandler, which renders it in its own format.
	jsonApp := fiber.New(fiber.Config{ErrorHandler: func(c fiber.Ctx, err error) error {
		var fe *fiber.Error
		if !errors.As(err, &fe) {
			fe = fiber.ErrInternalServerError
		}
		return c.Status(fe.Code).JSON(fiber.Map{"error": fe.Message})
	}})
	jsonApp.Use(sessfiberv3.Middleware(m))
	routes(jsonApp)
	r = do(t, "GET", serve(t, jsonApp)+"/get/a", nil, "Cookie", ck)
	if r.status != 503 || r.body != `{"error":"Service Unavailable"}` {
		t.Fatalf("application ErrorHandler: %d %q", r.status, r.body)
	}
	// A request that never reads is not affected.
	if r := do(t, "GET", url+"/none", nil, "Cookie", ck); r.status != 200 {
		t.Fatalf("untouched request while the store is down: %d", r.status)
	}
	st.Heal()

	st.Fail(sessiontest.Writes...)
	r = do(t, "POST", url+"/set/b/2", nil, "Cookie", ck)
	if r.status != 503 || len(r.cookies()) != 0 {
		t.Fatalf("save failure: %d %q", r.status, r.cookies())
	}
	mustNotLeak(t, r, tok)
	r = do(t, "POST", url+"/set/b/2", nil)
	if r.status != 503 || len(r.cookies()) != 0 {
		t.Fatalf("create failure: %d %q", r.status, r.cookies())
	}
	st.Heal()

	// Unloaded session pushed over its size limit: the store refuses at commit.
	big := strings.Repeat("x", 120)
	r = do(t, "POST", url+"/set/b/"+big, nil, "Cookie", ck)
	if r.status != 200 {
		t.Fatalf("first big value: %d", r.status)
	}
	r = do(t, "POST", url+"/set/c/"+big, nil, "Cookie", ck)
	if r.status != 413 || r.body != "Request Entity Too Large" {
		t.Fatalf("oversized session: %d %q", r.status, r.body)
	}
}

func TestNextSkips(t *testing.T) {
	m, _ := newManager(t)
	app := newApp()
	app.Use(sessfiberv3.Middleware(m, sessfiberv3.WithNext(func(c fiber.Ctx) bool {
		return strings.HasPrefix(c.Path(), "/static")
	})))
	app.Get("/static/x", func(c fiber.Ctx) error {
		err := sessfiberv3.From(c).Set("a", "1")
		_, ctxErr := session.FromContext(c.Context()).Has("a")
		if !errors.Is(err, session.ErrNoSession) || !errors.Is(ctxErr, session.ErrNoSession) {
			return fmt.Errorf("skipped request: %v, %v", err, ctxErr)
		}
		return c.SendString("static")
	})
	url := serve(t, app)
	if r := do(t, "GET", url+"/static/x", nil); r.status != 200 || len(r.cookies()) != 0 {
		t.Fatalf("skipped: %d %q %q", r.status, r.body, r.cookies())
	}
}

func TestFromWithoutMiddleware(t *testing.T) {
	app := newApp()
	app.Get("/", func(c fiber.Ctx) error {
		s := sessfiberv3.From(c)
		if s == nil {
			return errors.New("nil session")
		}
		if _, err := session.Get[int](s, "n"); !errors.Is(err, session.ErrNoSession) {
			return fmt.Errorf("Get = %v, want ErrNoSession", err)
		}
		return c.SendString("ok")
	})
	url := serve(t, app)
	if r := do(t, "GET", url+"/", nil); r.status != 200 || r.body != "ok" {
		t.Fatalf("%d %q", r.status, r.body)
	}
}

// TestLargeHeaders: with a raised ReadBufferSize, 8 KiB of garbage cookies
// get a fresh session, not a 431.
func TestLargeHeaders(t *testing.T) {
	m, _ := newManager(t)
	url := newServer(t, m)
	cookie := "session=" + strings.Repeat("A", 4000) + "; junk=" + strings.Repeat("b", 4000)
	r := do(t, "POST", url+"/set/a/1", nil, "Cookie", cookie)
	if r.status != 200 {
		t.Fatalf("status %d, want 200", r.status)
	}
	sessionToken(t, r)
}

func TestMiddlewareNilManager(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("Middleware(nil) did not panic")
		}
	}()
	sessfiberv3.Middleware(nil)
}
