package redisstore_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// privateRedis starts a redis-server of the test's own, so server-wide
// counters (INFO) see only this test's traffic. The shared servers of
// scripts/test.sh are in use by other packages at the same time.
func privateRedis(t *testing.T) *redis.Client {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("SESSKIT_REQUIRE_REDIS") == "1" {
			t.Fatal("redis-server not found and SESSKIT_REQUIRE_REDIS=1")
		}
		t.Skip("redis-server not found")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	opt, _ := redisstore.ParseURL(fmt.Sprintf("redis://127.0.0.1:%d/0", port))
	opt.PoolSize = 1
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	for start := time.Now(); rdb.Ping(t.Context()).Err() != nil; time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("private redis-server did not start")
		}
	}
	return rdb
}

// serverCounts reads from INFO commandstats the round trips and the
// data-changing commands run, those inside scripts and MULTI included.
// Every sesskit call in these requests is one round trip: an EVALSHA, a
// plain HGETALL for a load, or a MULTI ... EXEC for a create. The commands a
// script runs are counted under their own names too, but none of these
// scripts runs HGETALL, so the sum of EVALSHA, EVAL, HGETALL and EXEC calls
// is the round trips.
func serverCounts(t *testing.T, rdb *redis.Client) (roundTrips int, writes map[string]int) {
	t.Helper()
	info, err := rdb.Info(t.Context(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	writes = map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		name, rest, ok := strings.Cut(strings.TrimPrefix(line, "cmdstat_"), ":calls=")
		if !ok || !strings.HasPrefix(line, "cmdstat_") {
			continue
		}
		calls, _, _ := strings.Cut(rest, ",")
		n, _ := strconv.Atoi(calls)
		switch name {
		case "evalsha", "eval", "hgetall", "exec":
			roundTrips += n
		case "hset", "hdel", "pexpire", "del", "unlink", "expire", "set", "hincrby":
			writes[name] = n
		}
	}
	return roundTrips, writes
}

// TestRoundTripsPerRequest counts, on a real Redis, what each kind of
// request costs over N serial requests (DESIGN.md's round-trip budget).
func TestRoundTripsPerRequest(t *testing.T) {
	rdb := privateRedis(t)
	store, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	m, err := session.New(store, session.WithIdleTimeout(time.Hour), session.WithTouchInterval(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	handlers := map[string]func(*session.Session) error{
		"untouched":  func(*session.Session) error { return nil },
		"incr":       func(s *session.Session) error { _, err := session.Incr(s, "c", 1); return err },
		"read":       func(s *session.Session) error { _, err := session.Get[int](s, "n"); return err },
		"write-only": func(s *session.Session) error { return s.Set("w", 1) },
		"read+write": func(s *session.Session) error {
			n, err := session.Get[int](s, "n")
			if err != nil {
				return err
			}
			return s.Set("n", n+1)
		},
	}
	serve := func(cookie *http.Cookie, f func(*session.Session) error) *http.Response {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		sesshttp.Middleware(m)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			if err := f(session.FromContext(r.Context())); err != nil {
				t.Error(err)
			}
		})).ServeHTTP(rec, req)
		return rec.Result()
	}
	create := func(s *session.Session) error { return s.Set("n", 1) }
	cookie := serve(nil, create).Cookies()[0]
	serve(cookie, handlers["read+write"])                                                             // load the scripts once (EVALSHA misses)
	serve(cookie, func(s *session.Session) error { _, err := session.Incr(s, "c", 100); return err }) // three digits from now on: no size change

	const n = 20
	tests := []struct {
		name       string
		roundTrips int
		writes     bool // whether the request changes data in Redis
	}{
		{"untouched", 0, false},
		{"read", 1, false}, // touches only after the touch interval (10 min here)
		{"write-only", 1, true},
		{"read+write", 2, true},
		{"incr", 1, true},
		{"create", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, w0 := serverCounts(t, rdb)
			for range n {
				if tt.name == "create" {
					serve(nil, create)
				} else {
					serve(cookie, handlers[tt.name])
				}
			}
			after, w1 := serverCounts(t, rdb)
			trips := after - before
			if trips != tt.roundTrips*n {
				t.Errorf("%d round trips over %d requests, want %d each", trips, n, tt.roundTrips)
			}
			writes := 0
			for k := range w1 {
				writes += w1[k] - w0[k]
			}
			if (writes > 0) != tt.writes || writes%n != 0 {
				t.Errorf("%d data writes over %d requests (%v -> %v), want writes=%v", writes, n, w0, w1, tt.writes)
			}
			t.Logf("%s: %d round trips, %d data writes per request", tt.name, trips/n, writes/n)
		})
	}
}

// TestReadsDuringWritePause: while Redis pauses writes (CLIENT PAUSE WRITE,
// as during a FAILOVER), loads go on; changes wait for the pause and, with
// a request deadline shorter than it, fail as unavailable.
func TestReadsDuringWritePause(t *testing.T) {
	rdb := privateRedis(t)
	s, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	_, id := newToken(t)
	now := time.Now()
	create(t, s, id, now, now.Add(time.Hour), map[string][]byte{"a": []byte("j1")})
	if err := rdb.Do(t.Context(), "client", "pause", 2000, "write").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rdb.Do(context.WithoutCancel(t.Context()), "client", "unpause") })
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	if rec, found, err := s.Load(ctx, id); err != nil || !found || string(rec.Values["a"]) != "j1" {
		t.Fatalf("Load during a write pause = %v, %v, %v", rec.Values, found, err)
	}
	if err := s.Save(ctx, id, session.Change{Set: map[string][]byte{"b": []byte("j2")}}, rules(now)); !errors.Is(err, session.ErrUnavailable) {
		t.Fatalf("Save during a write pause, with a deadline before its end = %v, want ErrUnavailable", err)
	}
}
