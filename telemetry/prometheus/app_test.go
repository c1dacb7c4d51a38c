package sessprom_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	sessprom "github.com/sesskit/sesskit/telemetry/prometheus"
)

// fastFailOptions are the go-redis settings docs/production.md gives for
// use beside the circuit breaker: one dial attempt, one retry with a short
// backoff, a short dial timeout.
func fastFailOptions(addr string) *redis.Options {
	return &redis.Options{
		Addr:                  addr,
		ContextTimeoutEnabled: true,
		DialTimeout:           500 * time.Millisecond,
		DialerRetries:         1,
		MaxRetries:            1,
		MinRetryBackoff:       8 * time.Millisecond,
		MaxRetryBackoff:       64 * time.Millisecond,
		PoolTimeout:           time.Second,
	}
}

// metricsApp serves sessions on a Redis, and its metrics on /metrics.
type metricsApp struct {
	addr   string
	srv    *httptest.Server
	client *http.Client
	mu     sync.Mutex
	cookie *http.Cookie
}

// newMetricsApp serves sessions from a client with opt, with a request
// deadline of 1 s, and the Manager options given.
func newMetricsApp(t testing.TB, opt *redis.Options, opts ...session.Option) *metricsApp {
	t.Helper()
	metrics := sessprom.New()
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	store, err := redisstore.New(rdb, redisstore.WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]session.Option{session.WithObserver(metrics), session.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	m, err := session.New(store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler())
	mux.Handle("/", sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if r.Method == http.MethodPost {
			n, _ := session.Get[int](s, "n")
			_ = s.Set("n", n+1)
			return
		}
		if _, err := session.GetOr(s, "n", 0); err != nil {
			http.Error(w, http.StatusText(session.ErrorStatus(err)), session.ErrorStatus(err))
		}
	})))
	a := &metricsApp{srv: httptest.NewServer(mux)}
	t.Cleanup(a.srv.Close)
	a.addr, a.client = a.srv.Listener.Addr().String(), a.srv.Client()
	return a
}

// do sends one request with the app's session cookie, keeps the cookie the
// response sets, and returns the status.
func (a *metricsApp) do(t testing.TB, method string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, a.srv.URL+"/", nil)
	a.mu.Lock()
	if a.cookie != nil {
		req.AddCookie(a.cookie)
	}
	a.mu.Unlock()
	res, err := a.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	for _, c := range res.Cookies() {
		a.mu.Lock()
		a.cookie = c
		a.mu.Unlock()
	}
	return res.StatusCode
}

func (a *metricsApp) request(t testing.TB, method string, want int) {
	t.Helper()
	if status := a.do(t, method); status != want {
		t.Fatalf("%s: status %d, want %d", method, status, want)
	}
}
