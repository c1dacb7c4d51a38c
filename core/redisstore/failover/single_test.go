package failover_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
)

// failSlack is how much longer than its deadline a failed request may take
// to come back: a functional bound (the deadline reaches the socket, nothing
// waits for Redis to return), generous for a busy 2-core machine with -race.
const failSlack = 1500 * time.Millisecond

// TestSingleNode restarts (kill -9, then start again with the same
// redis.conf) and stalls (CLIENT PAUSE) a private Redis under load, with one
// Manager and one client for the whole test: requests must fail fast through
// the error handler (503) and succeed again without recreating anything.
func TestSingleNode(t *testing.T) {
	top := startTopology(t, "single")
	addr := top.get(t, "SESSKIT_REDIS_SINGLE_ADDR")
	opt, err := redisstore.ParseURL(top.get(t, "SESSKIT_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	store, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	admin := nodeClient(t, addr)

	t.Run("restart", func(t *testing.T) {
		// AOF on, and written to redis.conf so that the restart loads it.
		ctx := t.Context()
		if err := admin.ConfigSet(ctx, "appendonly", "yes").Err(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 10*time.Second, "the first AOF rewrite", func() bool {
			return infoField(ctx, admin, "persistence", "aof_enabled") == "1" &&
				infoField(ctx, admin, "persistence", "aof_rewrite_in_progress") == "0" &&
				infoField(ctx, admin, "persistence", "aof_rewrite_scheduled") == "0"
		})
		if err := admin.ConfigRewrite(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		l := newLoad(t, "restart", store)
		l.waitSteps(t, 50)
		killed := time.Now()
		top.kill(t, addr, top.pidOf(t, addr))
		time.Sleep(2 * time.Second) // requests meet a closed port meanwhile
		top.restart(t, addr)
		l.waitHealthy(t, killed, 2*time.Second, 30*time.Second)
		out := l.finish(t)
		t.Log(out.line("single-restart", "appendonly yes, appendfsync everysec"))
		checkFailFast(t, out)
		// The AOF is written before a reply leaves, so a killed process
		// loses nothing the kernel holds; everysec bounds the loss on a
		// power cut or kernel crash to about a second.
		if out.lost > 0 {
			t.Errorf("%d acknowledged commits lost with appendonly yes, want 0", out.lost)
		}
	})

	t.Run("stall", func(t *testing.T) {
		l := newLoad(t, "stall", store)
		l.waitSteps(t, 50)
		paused := time.Now()
		// Five seconds, well beyond the request deadline plus the slack,
		// so that a request waiting for Redis would show.
		if err := admin.Do(t.Context(), "CLIENT", "PAUSE", 5000, "ALL").Err(); err != nil {
			t.Fatal(err)
		}
		l.waitHealthy(t, paused, 2*time.Second, 30*time.Second)
		out := l.finish(t)
		t.Log(out.line("single-stall", "CLIENT PAUSE 5000 ALL"))
		checkFailFast(t, out)
		if out.lost > 0 {
			t.Errorf("%d acknowledged commits lost in a stall, want 0", out.lost)
		}
	})
}

// checkFailFast asserts that the fault was seen and that every failed
// request came back through the session error handler within its deadline
// plus failSlack.
func checkFailFast(t *testing.T, out outcome) {
	t.Helper()
	if out.failed == 0 {
		t.Errorf("no request failed: the fault was not seen")
	}
	if out.unhandled > 0 {
		t.Errorf("%d failed requests were not answered by the session error handler (503)", out.unhandled)
	}
	if out.slowestFailure > requestDeadline+failSlack {
		t.Errorf("slowest failed request took %v, want at most the %v deadline + %v", out.slowestFailure, requestDeadline, failSlack)
	}
}
