package e2e_test

import (
	"strings"
	"testing"
)

// TestCluster runs every route on the Gin app against a Redis Cluster
// (SESSKIT_REDIS_CLUSTER_ADDRS, given to the app as REDIS_ADDRS).
func TestCluster(t *testing.T) {
	t.Parallel()
	b := clusterRedis(t)
	a := start(t, "gin", b.env)
	if !strings.Contains(a.first, " store=redis-cluster ") {
		t.Fatalf("first log line %q, want store=redis-cluster", a.first)
	}
	exerciseRoutes(t, a, b)
}

// TestSentinel runs every route on the Echo app against a Sentinel group
// (SESSKIT_REDIS_SENTINEL_ADDRS and _MASTER, given as REDIS_ADDRS and
// REDIS_MASTER_NAME).
func TestSentinel(t *testing.T) {
	t.Parallel()
	b := sentinelRedis(t)
	a := start(t, "echo", b.env)
	if !strings.Contains(a.first, " store=redis-sentinel ") {
		t.Fatalf("first log line %q, want store=redis-sentinel", a.first)
	}
	exerciseRoutes(t, a, b)
}
