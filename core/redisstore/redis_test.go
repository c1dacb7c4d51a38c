package redisstore_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
)

// testPrefix keeps test keys apart from anything else in the test Redis.
const testPrefix = "sesskit-test:"

type topology struct {
	name string
	rdb  redis.UniversalClient
}

// clients returns a client for every Redis topology the environment names:
// single (SESSKIT_REDIS_URL), cluster (SESSKIT_REDIS_CLUSTER_ADDRS) and
// sentinel (SESSKIT_REDIS_SENTINEL_ADDRS + SESSKIT_REDIS_SENTINEL_MASTER).
// A topology left unset is skipped, or fails the test when
// SESSKIT_REQUIRE_REDIS=1. Each call returns new clients, closed at cleanup.
func clients(t testing.TB) []topology {
	t.Helper()
	require := os.Getenv("SESSKIT_REQUIRE_REDIS") == "1"
	var out []topology
	add := func(name, unset string, newClient func() redis.UniversalClient) {
		if newClient == nil {
			if require {
				t.Fatalf("%s: %s is unset and SESSKIT_REQUIRE_REDIS=1", name, unset)
			}
			t.Logf("%s: %s is unset, skipped", name, unset)
			return
		}
		rdb := newClient()
		t.Cleanup(func() { _ = rdb.Close() })
		if err := rdb.Ping(t.Context()).Err(); err != nil {
			t.Fatalf("%s: ping: %v", name, err)
		}
		out = append(out, topology{name, rdb})
	}

	var single func() redis.UniversalClient
	if u := os.Getenv("SESSKIT_REDIS_URL"); u != "" {
		opt, err := redisstore.ParseURL(u)
		if err != nil {
			t.Fatalf("SESSKIT_REDIS_URL: %v", err)
		}
		single = func() redis.UniversalClient { return redis.NewClient(opt) }
	}
	add("single", "SESSKIT_REDIS_URL", single)

	var cluster func() redis.UniversalClient
	if addrs := splitList(os.Getenv("SESSKIT_REDIS_CLUSTER_ADDRS")); len(addrs) > 0 {
		opt := redisstore.UniversalOptions("", addrs...)
		opt.IsClusterMode = true // even with one seed address
		cluster = func() redis.UniversalClient { return redis.NewUniversalClient(opt) }
	}
	add("cluster", "SESSKIT_REDIS_CLUSTER_ADDRS", cluster)

	var sentinel func() redis.UniversalClient
	addrs, master := splitList(os.Getenv("SESSKIT_REDIS_SENTINEL_ADDRS")), os.Getenv("SESSKIT_REDIS_SENTINEL_MASTER")
	if len(addrs) > 0 && master != "" {
		opt := redisstore.UniversalOptions(master, addrs...)
		sentinel = func() redis.UniversalClient { return redis.NewUniversalClient(opt) }
	}
	add("sentinel", "SESSKIT_REDIS_SENTINEL_ADDRS and SESSKIT_REDIS_SENTINEL_MASTER", sentinel)

	if len(out) == 0 {
		t.Skip("no Redis configured (SESSKIT_REDIS_URL, SESSKIT_REDIS_CLUSTER_ADDRS, SESSKIT_REDIS_SENTINEL_ADDRS)")
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// eachClient runs fn as a subtest for every configured topology.
func eachClient(t *testing.T, fn func(t *testing.T, rdb redis.UniversalClient)) {
	t.Helper()
	for _, c := range clients(t) {
		t.Run(c.name, func(t *testing.T) { fn(t, c.rdb) })
	}
}

func newStore(t testing.TB, rdb redis.UniversalClient, opts ...redisstore.Option) *redisstore.Store {
	t.Helper()
	s, err := redisstore.New(rdb, append([]redisstore.Option{redisstore.WithPrefix(testPrefix)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// newToken returns a raw token as the engine makes one and the ID the
// engine would give the store for it.
func newToken(t testing.TB) (token, id string) {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	return token, base64.RawURLEncoding.EncodeToString(sum[:])
}

// newID returns a fresh session ID whose key is removed at cleanup.
func newID(t testing.TB, rdb redis.UniversalClient) string {
	t.Helper()
	_, id := newToken(t)
	t.Cleanup(func() { rdb.Del(context.Background(), testPrefix+id) })
	return id
}

// primaryFor returns a client of the node that holds key, for commands
// that are per node (INFO, CONFIG, SUBSCRIBE to keyspace events).
func primaryFor(t testing.TB, rdb redis.UniversalClient, key string) *redis.Client {
	t.Helper()
	switch c := rdb.(type) {
	case *redis.Client:
		return c
	case *redis.ClusterClient:
		p, err := c.MasterForKey(t.Context(), key)
		if err != nil {
			t.Fatalf("MasterForKey: %v", err)
		}
		return p
	}
	t.Fatalf("unexpected client type %T", rdb)
	return nil
}

// forEachPrimary runs fn on every primary: SCAN and INFO are per node.
func forEachPrimary(t testing.TB, rdb redis.UniversalClient, fn func(ctx context.Context, c *redis.Client) error) {
	t.Helper()
	var err error
	switch c := rdb.(type) {
	case *redis.Client:
		err = fn(t.Context(), c)
	case *redis.ClusterClient:
		err = c.ForEachMaster(t.Context(), fn)
	default:
		t.Fatalf("unexpected client type %T", rdb)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// keyEvents subscribes to the keyspace events of key on its primary
// (turning generic and hash events on there for the test) and returns them
// in order: "hset", "hdel", "expire", "del", ...
func keyEvents(t *testing.T, rdb redis.UniversalClient, key string) <-chan *redis.Message {
	t.Helper()
	primary := primaryFor(t, rdb, key)
	ctx := t.Context()
	old, err := primary.ConfigGet(ctx, "notify-keyspace-events").Result()
	if err != nil {
		t.Fatalf("CONFIG GET: %v", err)
	}
	prev := old["notify-keyspace-events"]
	if err := primary.ConfigSet(ctx, "notify-keyspace-events", prev+"Kgh").Err(); err != nil {
		t.Fatalf("CONFIG SET: %v", err)
	}
	t.Cleanup(func() {
		primary.ConfigSet(context.Background(), "notify-keyspace-events", prev)
	})
	sub := primary.Subscribe(ctx, "__keyspace@"+strconv.Itoa(primary.Options().DB)+"__:"+key)
	t.Cleanup(func() { _ = sub.Close() })
	if _, err := sub.Receive(ctx); err != nil { // the subscription confirmation
		t.Fatalf("SUBSCRIBE: %v", err)
	}
	return sub.Channel()
}

// nextEvents reads n keyspace events, failing rather than hanging when they
// do not come.
func nextEvents(t *testing.T, ch <-chan *redis.Message, n int) []string {
	t.Helper()
	var got []string
	for len(got) < n {
		select {
		case m := <-ch:
			got = append(got, m.Payload)
		case <-time.After(10 * time.Second):
			t.Fatalf("keyspace events: got %q, want %d", got, n)
		}
	}
	return got
}

// counter is a go-redis hook counting the round trips a client makes (a
// command, or a pipeline with all its commands) and the commands sent
// without a deadline.
type counter struct {
	commands, noDeadline atomic.Int64
}

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.commands.Add(1)
		if _, ok := ctx.Deadline(); !ok {
			c.noDeadline.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.commands.Add(1)
		if _, ok := ctx.Deadline(); !ok {
			c.noDeadline.Add(1)
		}
		return next(ctx, cmds)
	}
}

// deletePrefix removes every key under prefix, on every primary. It runs
// at cleanup, when tb's context is already cancelled.
func deletePrefix(tb testing.TB, rdb redis.UniversalClient, prefix string) {
	ctx := context.WithoutCancel(tb.Context())
	del := func(ctx context.Context, c *redis.Client) error {
		it := c.Scan(ctx, 0, prefix+"*", 500).Iterator()
		for it.Next(ctx) {
			c.Del(ctx, it.Val())
		}
		return it.Err()
	}
	switch c := rdb.(type) {
	case *redis.Client:
		_ = del(ctx, c)
	case *redis.ClusterClient:
		_ = c.ForEachMaster(ctx, del)
	}
}
