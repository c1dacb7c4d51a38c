package sessfiberv3_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v3"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// epoch is the fixed time of every test clock, so cookies' Max-Age is
// deterministic.
var epoch = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func clock() time.Time { return epoch }

// newManager returns a Manager over a memstore sharing the fixed clock.
func newStore() *memstore.Store { return memstore.New(memstore.WithClock(clock)) }

func newManager(t testing.TB, opts ...session.Option) (*session.Manager, *memstore.Store) {
	t.Helper()
	st := memstore.New(memstore.WithClock(clock))
	m, err := session.New(st, append([]session.Option{session.WithClock(clock)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return m, st
}

// serve runs app on a fresh 127.0.0.1 port until the test ends and returns
// its base URL.
func serve(t testing.TB, app *fiber.App) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true})
	}()
	t.Cleanup(func() {
		_ = app.Shutdown()
		<-done
	})
	return "http://" + ln.Addr().String()
}

func newApp() *fiber.App {
	return fiber.New(fiber.Config{ReadBufferSize: 16 << 10})
}

// reply is a response with its body read.
type reply struct {
	status int
	header http.Header
	body   string
}

// cookies returns the Set-Cookie lines exactly as received.
func (r reply) cookies() []string { return r.header.Values("Set-Cookie") }

// do sends one request; header holds extra request headers.
func do(t testing.TB, method, url string, body io.Reader, header ...string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

var tokenRE = regexp.MustCompile(`^session=([A-Za-z0-9_-]{43});`)

// sessionToken returns the token of the one session Set-Cookie line in r.
func sessionToken(t testing.TB, r reply) string {
	t.Helper()
	var toks []string
	for _, line := range r.cookies() {
		if m := tokenRE.FindStringSubmatch(line); m != nil {
			toks = append(toks, m[1])
		}
	}
	if len(toks) != 1 {
		t.Fatalf("session cookies = %d in %q, want 1", len(toks), r.cookies())
	}
	return toks[0]
}

// maskToken replaces 43-character tokens so lines from two runs compare.
func maskToken(line string) string {
	return regexp.MustCompile(`[A-Za-z0-9_-]{43}`).ReplaceAllString(line, "TOKEN")
}

// errDown is what failing store calls return: the text of an unreachable
// Redis, with an address that must not reach the client.
var errDown = fmt.Errorf("dial tcp 10.9.8.7:6379: connection refused: %w", session.ErrUnavailable)

// flakyStore fails calls on demand with errDown.
func flakyStore(st session.Store) *sessiontest.FaultStore {
	return &sessiontest.FaultStore{Store: st, Err: errDown}
}

func mustNotLeak(t testing.TB, r reply, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, "10.9.8.7", "refused") {
		if s != "" && strings.Contains(r.body, s) {
			t.Errorf("body %q leaks %q", r.body, s)
		}
	}
}
