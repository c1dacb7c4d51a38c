package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// backend is where an app keeps its sessions: the environment that points
// it there, and, for Redis, a client to look at the keys.
type backend struct {
	name string
	env  []string
	rdb  redis.UniversalClient // nil for the in-process store
}

var memory = backend{name: "memory"}

// singleRedis is the Redis node of SESSKIT_REDIS_URL.
func singleRedis(t *testing.T) backend {
	u := need(t, "SESSKIT_REDIS_URL")
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("SESSKIT_REDIS_URL: %v", err)
	}
	return newBackend(t, "redis", []string{"REDIS_URL=" + u}, redis.NewClient(opt))
}

// clusterRedis is the Cluster of SESSKIT_REDIS_CLUSTER_ADDRS.
func clusterRedis(t *testing.T) backend {
	addrs := need(t, "SESSKIT_REDIS_CLUSTER_ADDRS")
	return newBackend(t, "redis-cluster", []string{"REDIS_ADDRS=" + addrs},
		redis.NewClusterClient(&redis.ClusterOptions{Addrs: strings.Split(addrs, ",")}))
}

// sentinelRedis is the Sentinel group of SESSKIT_REDIS_SENTINEL_ADDRS.
func sentinelRedis(t *testing.T) backend {
	addrs := need(t, "SESSKIT_REDIS_SENTINEL_ADDRS")
	master := need(t, "SESSKIT_REDIS_SENTINEL_MASTER")
	return newBackend(t, "redis-sentinel", []string{"REDIS_ADDRS=" + addrs, "REDIS_MASTER_NAME=" + master},
		redis.NewFailoverClient(&redis.FailoverOptions{MasterName: master, SentinelAddrs: strings.Split(addrs, ",")}))
}

func newBackend(t *testing.T, name string, env []string, rdb redis.UniversalClient) backend {
	t.Cleanup(func() { rdb.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		t.Fatalf("%s: ping: %v", name, err)
	}
	return backend{name: name, env: env, rdb: rdb}
}

// redisKey is where redisstore keeps the session of token: the default
// prefix and the token's SHA-256, unpadded base64url.
func redisKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return "sesskit:" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// stored reports whether the store holds a session for token: a hash with
// its creation time. The marker a renewed session leaves for a minute
// ("@m") holds no session. Without Redis it cannot tell and returns want.
func (b backend) stored(t *testing.T, token string, want bool) bool {
	t.Helper()
	if b.rdb == nil {
		return want
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	found, err := b.rdb.HExists(ctx, redisKey(token), "@c").Result()
	if err != nil {
		t.Fatalf("%s: hexists: %v", b.name, err)
	}
	return found
}

// wantStored fails the test unless the store holds (or lacks) token's session.
func (b backend) wantStored(t *testing.T, what, token string, want bool) {
	t.Helper()
	if got := b.stored(t, token, want); got != want {
		t.Fatalf("%s: session key %s in %s: exists=%v, want %v", what, redisKey(token)[:16]+"...", b.name, got, want)
	}
}
