package failover_test

import (
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
)

// TestSentinelPrimaryKill kills -9 the primary of a private Sentinel group
// (1 primary, 1 replica, 3 sentinels, down-after 1000 ms) under load, on two
// stores sharing one failover client: one with WithWait(1, 500ms), which must
// lose no acknowledged commit, and one without, whose losses are only
// reported. Once Sentinel has promoted the replica the old primary is
// restarted as its replica, as an operator would, so that WAIT has a replica
// again. (Restarted as a primary, Sentinel would reconfigure it only after
// about 8 s, four publish periods, and every WAIT 1 write would fail until
// then: production needs two replicas per primary for WAIT 1.)
func TestSentinelPrimaryKill(t *testing.T) {
	top := startTopology(t, "sentinel")
	sentinels := top.list(t, "SESSKIT_REDIS_SENTINEL_ADDRS")
	master := top.get(t, "SESSKIT_REDIS_SENTINEL_MASTER")
	primaryAddr := top.get(t, "SESSKIT_REDIS_SENTINEL_PRIMARY_ADDR")
	replicaAddr := top.get(t, "SESSKIT_REDIS_SENTINEL_REPLICA_ADDR")

	rdb := redis.NewUniversalClient(redisstore.UniversalOptions(master, sentinels...))
	t.Cleanup(func() { _ = rdb.Close() })
	waitStore, err := redisstore.New(rdb, redisstore.WithWait(1, 500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	plainStore, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	waitLoad := newLoad(t, "WAIT 1", waitStore)
	plainLoad := newLoad(t, "no WAIT", plainStore)
	waitLoad.waitSteps(t, 50)
	plainLoad.waitSteps(t, 50)

	primary, replica := nodeClient(t, primaryAddr), nodeClient(t, replicaAddr)
	var state string
	waitFor(t, 10*time.Second, "the replica to be in sync", func() bool {
		var ok bool
		ok, state = replicaInSync(t.Context(), primary, replica)
		return ok
	})
	t.Logf("before the kill: %s", state)
	killed := time.Now()
	top.kill(t, primaryAddr, top.pidOf(t, primaryAddr))

	sentinel := redis.NewSentinelClient(nodeClient(t, sentinels[0]).Options())
	t.Cleanup(func() { _ = sentinel.Close() })
	waitFor(t, 30*time.Second, "Sentinel to promote the replica", func() bool {
		addr, err := sentinel.GetMasterAddrByName(t.Context(), master).Result()
		return err == nil && addr[0]+":"+addr[1] == replicaAddr
	})
	t.Logf("Sentinel promoted %s %.1fs after the kill", replicaAddr, time.Since(killed).Seconds())
	plainLoad.waitHealthy(t, killed, 2*time.Second, 30*time.Second)
	host, port, _ := strings.Cut(replicaAddr, ":")
	top.restart(t, primaryAddr, "--replicaof", host, port)
	waitLoad.waitHealthy(t, killed, 2*time.Second, 30*time.Second)
	waitOut, plainOut := waitLoad.finish(t), plainLoad.finish(t)
	t.Log(waitOut.line("sentinel-primary-kill", "WAIT 1"))
	t.Log(plainOut.line("sentinel-primary-kill", "no WAIT"))

	if waitOut.lost > 0 {
		t.Errorf("WAIT 1: %d acknowledged commits lost, want 0", waitOut.lost)
	}
	// A functional bound, not a benchmark: failover takes a few seconds
	// (down-after 1 s); a client that never found the new primary would
	// fail until the end of the run.
	if plainOut.window > 15*time.Second {
		t.Errorf("no WAIT: error window %v, want well under 15s", plainOut.window)
	}
}
