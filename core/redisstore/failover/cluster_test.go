package failover_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
)

// TestCluster runs two faults on one private Cluster (3 primaries, 3
// replicas, cluster-node-timeout 1000 ms), one after the other: a slot
// migration under load, then kill -9 of a primary. Each phase loads two
// stores on one ClusterClient made from redisstore.UniversalOptions, with
// and without WithWait(1, 500ms).
func TestCluster(t *testing.T) {
	top := startTopology(t, "cluster")
	addrs := top.list(t, "SESSKIT_REDIS_CLUSTER_ADDRS")
	rdb := redis.NewUniversalClient(redisstore.UniversalOptions("", addrs...))
	t.Cleanup(func() { _ = rdb.Close() })
	stores := func(t *testing.T) (wait, plain *redisstore.Store) {
		t.Helper()
		wait, err := redisstore.New(rdb, redisstore.WithWait(1, 500*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		plain, err = redisstore.New(rdb)
		if err != nil {
			t.Fatal(err)
		}
		return wait, plain
	}

	t.Run("slot migration", func(t *testing.T) {
		waitStore, plainStore := stores(t)
		plainLoad := newLoad(t, "no WAIT", plainStore)
		waitLoad := newLoad(t, "WAIT 1", waitStore)
		plainLoad.waitSteps(t, 100)
		waitLoad.waitSteps(t, 50)

		src, dst, other := nodeClient(t, addrs[0]), nodeClient(t, addrs[1]), nodeClient(t, addrs[2])
		before := redirects(t, addrs)
		slots := sessionSlots(t, src)
		started := time.Now()
		for _, slot := range slots {
			migrateSlot(t, slot, src, dst, other)
		}
		t.Logf("moved %d slots holding sessions from %s to %s in %.1fs", len(slots), addrs[0], addrs[1], time.Since(started).Seconds())
		plainLoad.waitHealthy(t, started, 2*time.Second, 30*time.Second)
		after := redirects(t, addrs)

		plainOut, waitOut := plainLoad.finish(t), waitLoad.finish(t)
		label := fmt.Sprintf("%d slots, %d ASK + %d MOVED redirects", len(slots), after.ask-before.ask, after.moved-before.moved)
		t.Log(plainOut.line("cluster-slot-migration", "no WAIT, "+label))
		t.Log(waitOut.line("cluster-slot-migration", "WAIT 1, informational: WithWait pins the connection and does not follow redirects"))
		if plainOut.lost > 0 {
			t.Errorf("no WAIT: %d acknowledged commits lost, want 0", plainOut.lost)
		}
		// go-redis follows ASK and MOVED; a request may still fail when the
		// slot map it reloads is itself behind, but only rarely.
		if plainOut.failed > 3 {
			t.Errorf("no WAIT: %d failed requests during the migration, want at most 3", plainOut.failed)
		}
		if waitOut.lost > 0 {
			t.Errorf("WAIT 1: %d acknowledged commits lost, want 0", waitOut.lost)
		}
	})

	t.Run("primary kill", func(t *testing.T) {
		waitStore, plainStore := stores(t)
		plainLoad := newLoad(t, "no WAIT", plainStore)
		waitLoad := newLoad(t, "WAIT 1", waitStore)
		plainLoad.waitSteps(t, 100)
		waitLoad.waitSteps(t, 50)

		// The victim: the primary holding most slots after the migration.
		nodes := clusterNodes(t, nodeClient(t, addrs[0]))
		var victim, replica clusterNode
		for _, n := range nodes {
			if n.primary() && n.slots > victim.slots {
				victim = n
			}
		}
		for _, n := range nodes {
			if n.primaryID == victim.id {
				replica = n
			}
		}
		if replica.id == "" {
			t.Fatalf("primary %s has no replica", victim.addr)
		}
		primaryClient, replicaClient := nodeClient(t, victim.addr), nodeClient(t, replica.addr)
		var state string
		waitFor(t, 10*time.Second, "the replica to be in sync", func() bool {
			var ok bool
			ok, state = replicaInSync(t.Context(), primaryClient, replicaClient)
			return ok
		})
		t.Logf("before the kill: %s", state)
		killed := time.Now()
		top.kill(t, victim.addr, top.pidOf(t, victim.addr))

		survivor := nodeClient(t, addrs[0])
		if victim.addr == addrs[0] {
			survivor = nodeClient(t, addrs[1])
		}
		waitFor(t, 30*time.Second, "the Cluster to promote "+replica.addr, func() bool {
			for _, n := range clusterNodes(t, survivor) {
				if n.id == replica.id && n.primary() && n.slots > 0 {
					return true
				}
			}
			return false
		})
		t.Logf("the Cluster promoted %s %.1fs after the kill", replica.addr, time.Since(killed).Seconds())
		// Only once the plain load is back does the old primary return (as
		// a replica of the new one, for WAIT): a node that answers MOVED
		// would tell the client about the new map, hiding a client that
		// does not find it on its own.
		plainLoad.waitHealthy(t, killed, 2*time.Second, 90*time.Second)
		top.restart(t, victim.addr)
		waitLoad.waitHealthy(t, killed, 2*time.Second, 30*time.Second)
		plainOut, waitOut := plainLoad.finish(t), waitLoad.finish(t)
		t.Log(plainOut.line("cluster-primary-kill", "no WAIT"))
		t.Log(waitOut.line("cluster-primary-kill", "WAIT 1"))
		if waitOut.lost > 0 {
			t.Errorf("WAIT 1: %d acknowledged commits lost, want 0", waitOut.lost)
		}
		// A functional bound, not a benchmark: failure detection and
		// promotion take a few seconds (cluster-node-timeout 1 s); a client
		// that kept the old slot map would fail until its periodic reload
		// (60 s by default).
		if plainOut.window > 15*time.Second {
			t.Errorf("no WAIT: error window %v, want well under 15s", plainOut.window)
		}
	})
}

// clusterNode is one line of CLUSTER NODES.
type clusterNode struct {
	id, addr, flags, primaryID string
	slots                      int // how many slots it serves
}

func (n clusterNode) primary() bool {
	return strings.Contains(n.flags, "master") && !strings.Contains(n.flags, "fail")
}

func clusterNodes(t *testing.T, c *redis.Client) []clusterNode {
	t.Helper()
	out, err := c.ClusterNodes(t.Context()).Result()
	if err != nil {
		t.Fatalf("CLUSTER NODES on %s: %v", c.Options().Addr, err)
	}
	var nodes []clusterNode
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		n := clusterNode{id: f[0], flags: f[2], primaryID: f[3]}
		n.addr, _, _ = strings.Cut(f[1], "@")
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") {
				continue // a slot being migrated, listed apart
			}
			lo, hi, isRange := strings.Cut(r, "-")
			a, _ := strconv.Atoi(lo)
			b := a
			if isRange {
				b, _ = strconv.Atoi(hi)
			}
			n.slots += b - a + 1
		}
		nodes = append(nodes, n)
	}
	return nodes
}

func nodeID(t *testing.T, c *redis.Client) string {
	t.Helper()
	id, err := c.Do(t.Context(), "CLUSTER", "MYID").Text()
	if err != nil {
		t.Fatalf("CLUSTER MYID: %v", err)
	}
	return id
}

// sessionSlots returns the slots of the session keys on a primary.
func sessionSlots(t *testing.T, c *redis.Client) []int64 {
	t.Helper()
	var slots []int64
	iter := c.Scan(t.Context(), 0, redisstore.DefaultPrefix+"*", 100).Iterator()
	for iter.Next(t.Context()) {
		slot, err := c.ClusterKeySlot(t.Context(), iter.Val()).Result()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(slots, slot) {
			slots = append(slots, slot)
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	if len(slots) == 0 {
		t.Fatal("no session keys on the source primary")
	}
	slices.Sort(slots)
	return slots
}

// migrateSlot moves one slot from src to dst by hand, the way redis-cli
// --cluster reshard does, with pauses so that the load meets the slot while
// its keys are still on src (served there), once they are on dst (ASK) and
// after the move (MOVED).
func migrateSlot(t *testing.T, slot int64, src, dst, other *redis.Client) {
	t.Helper()
	ctx := t.Context()
	srcID, dstID := nodeID(t, src), nodeID(t, dst)
	must := func(c *redis.Client, args ...any) {
		t.Helper()
		if err := c.Do(ctx, args...).Err(); err != nil {
			t.Fatalf("%v on %s: %v", args, c.Options().Addr, err)
		}
	}
	must(dst, "CLUSTER", "SETSLOT", slot, "IMPORTING", srcID)
	must(src, "CLUSTER", "SETSLOT", slot, "MIGRATING", dstID)
	time.Sleep(100 * time.Millisecond)
	host, port, _ := strings.Cut(dst.Options().Addr, ":")
	for {
		keys, err := src.ClusterGetKeysInSlot(ctx, int(slot), 100).Result()
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) == 0 {
			break
		}
		args := []any{"MIGRATE", host, port, "", 0, 5000, "KEYS"}
		for _, k := range keys {
			args = append(args, k)
		}
		must(src, args...)
	}
	time.Sleep(100 * time.Millisecond)
	// The new owner first, then the old one, then the third primary.
	for _, c := range []*redis.Client{dst, src, other} {
		must(c, "CLUSTER", "SETSLOT", slot, "NODE", dstID)
	}
}

type redirectCount struct{ ask, moved int }

// redirects sums the ASK and MOVED replies the primaries sent (INFO
// errorstats).
func redirects(t *testing.T, primaries []string) redirectCount {
	t.Helper()
	var r redirectCount
	for _, addr := range primaries {
		c := nodeClient(t, addr)
		r.ask += errorCount(t.Context(), c, "ASK")
		r.moved += errorCount(t.Context(), c, "MOVED")
	}
	return r
}

func errorCount(ctx context.Context, c *redis.Client, prefix string) int {
	v := infoField(ctx, c, "errorstats", "errorstat_"+prefix)
	n, _ := strconv.Atoi(strings.TrimPrefix(v, "count="))
	return n
}
