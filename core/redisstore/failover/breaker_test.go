package failover_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// sentCounter is a go-redis hook counting the calls the client tries to
// send (each retry again): what reaches, or would reach, Redis.
type sentCounter struct{ n atomic.Int64 }

func (c *sentCounter) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c.n.Add(1)
		return next(ctx, network, addr)
	}
}

func (c *sentCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *sentCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// breakerApp is a server over a private Redis whose every request reads
// the session, with a circuit breaker that opens after 5 failures for
// cooldown.
type breakerApp struct {
	top    *topology
	addr   string
	m      *session.Manager
	sent   *sentCounter
	srv    *httptest.Server
	cookie *http.Cookie
}

func newBreakerApp(t testing.TB, failures int, cooldown time.Duration) *breakerApp {
	top := startTopology(t, "single")
	a := &breakerApp{top: top, addr: top.get(t, "SESSKIT_REDIS_SINGLE_ADDR"), sent: &sentCounter{}}
	opt, err := redisstore.ParseURL(top.get(t, "SESSKIT_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	rdb.AddHook(a.sent)
	t.Cleanup(func() { _ = rdb.Close() })
	store, err := redisstore.New(rdb, redisstore.WithTimeout(requestDeadline))
	if err != nil {
		t.Fatal(err)
	}
	a.m, err = session.New(store, session.WithBreaker(failures, cooldown),
		session.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	a.srv = httptest.NewServer(sesshttp.Middleware(a.m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := session.FromContext(r.Context())
		if r.Method == http.MethodPost {
			_ = s.Set("a", 1)
		} else if _, err := session.Get[int](s, "a"); err != nil {
			http.Error(w, "no value", http.StatusNotFound)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})))
	t.Cleanup(a.srv.Close)
	res, err := a.srv.Client().Post(a.srv.URL, "", nil)
	if err != nil || len(res.Cookies()) == 0 {
		t.Fatalf("create a session: %v", err)
	}
	res.Body.Close()
	a.cookie = res.Cookies()[0]
	return a
}

// get reads the session and returns the status and how long it took.
func (a *breakerApp) get(t testing.TB) (int, time.Duration) {
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL, nil)
	req.AddCookie(a.cookie)
	start := time.Now()
	res, err := a.srv.Client().Do(req)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode, took
}

// TestBreakerWhileRedisIsDown stops Redis under requests: once the breaker
// is open no call reaches (or tries to reach) Redis but the probes, at most
// one per cooldown; requests get their 503 at once; when Redis returns the
// sessions work again within the cooldown, with no restart.
func TestBreakerWhileRedisIsDown(t *testing.T) {
	const cooldown = 500 * time.Millisecond
	a := newBreakerApp(t, 5, cooldown)
	if status, _ := a.get(t); status != http.StatusOK {
		t.Fatalf("read with Redis up: %d", status)
	}
	a.top.kill(t, a.addr, a.top.pidOf(t, a.addr))
	for i := 0; a.m.Breaker() != session.BreakerOpen; i++ {
		if status, _ := a.get(t); status != http.StatusServiceUnavailable {
			t.Fatalf("read %d with Redis down: %d, want 503", i, status)
		}
		if i > 20 {
			t.Fatal("the breaker never opened")
		}
	}
	before, start := a.sent.n.Load(), time.Now()
	var latencies []time.Duration
	for range 300 {
		status, took := a.get(t)
		if status != http.StatusServiceUnavailable {
			t.Fatalf("read with the breaker open: %d, want 503", status)
		}
		latencies = append(latencies, took)
	}
	elapsed := time.Since(start)
	probes := a.sent.n.Load() - before
	// Each probe may try a dial and a command, with retries: a handful of
	// attempts per cooldown, and nothing for the other requests.
	if limit := 8 * (int64(elapsed/cooldown) + 1); probes > limit {
		t.Errorf("%d attempts to reach Redis in %v with the breaker open, want at most %d (probes only)", probes, elapsed, limit)
	}
	slices.Sort(latencies)
	t.Logf("BREAKER open: 300 reads in %v, p50 %v, p99 %v, %d attempts to reach Redis", elapsed,
		latencies[len(latencies)/2], latencies[len(latencies)*99/100], probes)

	a.top.restart(t, a.addr) // empty: the topology keeps nothing on disk
	back := time.Now()
	for {
		status, _ := a.get(t)
		if status != http.StatusServiceUnavailable { // the store answers (the session is gone with the data)
			break
		}
		if time.Since(back) > 10*time.Second {
			t.Fatalf("sessions still fail %v after Redis came back: %d", time.Since(back), status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("BREAKER closed again %v after Redis came back (cooldown %v)", time.Since(back), cooldown)
	if st := a.m.Breaker(); st != session.BreakerClosed {
		t.Errorf("breaker %v after a success, want closed", st)
	}
	if h := a.m.Health(t.Context()); h.Store != nil || h.Breaker != session.BreakerClosed {
		t.Errorf("Health = %+v", h)
	}
	if !errors.Is(session.ErrBreakerOpen, session.ErrUnavailable) {
		t.Error("ErrBreakerOpen does not wrap ErrUnavailable")
	}
}

// BenchmarkStoreDown measures the time to the 503 while Redis is down, over
// 1,000 reads from 8 clients, without a breaker and with it open:
//
//	go test -run '^$' -bench StoreDown -benchtime 1x ./core/redisstore/failover
func BenchmarkStoreDown(b *testing.B) {
	for _, bc := range []struct {
		name     string
		failures int
	}{{"no-breaker", 0}, {"breaker-open", 5}} {
		b.Run(bc.name, func(b *testing.B) {
			a := newBreakerApp(b, bc.failures, time.Minute)
			a.top.kill(b, a.addr, a.top.pidOf(b, a.addr))
			for range 10 { // opens the breaker
				a.get(b)
			}
			for b.Loop() {
				const n, clients = 1000, 8
				latencies := make(chan time.Duration, n)
				work := make(chan struct{}, n)
				for range n {
					work <- struct{}{}
				}
				close(work)
				done := make(chan struct{})
				for range clients {
					go func() {
						for range work {
							_, took := a.get(b)
							latencies <- took
						}
						done <- struct{}{}
					}()
				}
				for range clients {
					<-done
				}
				close(latencies)
				var all []time.Duration
				for l := range latencies {
					all = append(all, l)
				}
				slices.Sort(all)
				b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}
