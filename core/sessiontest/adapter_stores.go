package sessiontest

import (
	"context"
	"crypto/rand"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// NamedStore is a store constructor with a name for subtests.
type NamedStore struct {
	// Name names the subtests: "memstore", "redis".
	Name string
	// New returns a fresh store for one test or benchmark; it closes what
	// it opens with tb.Cleanup, and skips or fails when its server is not
	// configured (see Stores).
	New func(tb testing.TB) session.Store
}

// Stores returns the stores the adapter suite runs on: memstore always, and
// redisstore on the node named by SESSKIT_REDIS_URL. Without that variable
// the redis subtests are skipped, or fail when SESSKIT_REQUIRE_REDIS=1, so
// CI cannot pass by skipping. Each redis test gets its own key prefix and
// deletes its keys at the end.
func Stores() []NamedStore {
	return []NamedStore{
		{Name: "memstore", New: func(testing.TB) session.Store { return memstore.New() }},
		{Name: "redis", New: newAdapterRedisStore},
	}
}

func newAdapterRedisStore(t testing.TB) session.Store {
	t.Helper()
	url := os.Getenv("SESSKIT_REDIS_URL")
	switch {
	case url == "" && os.Getenv("SESSKIT_REQUIRE_REDIS") == "1":
		t.Fatal("SESSKIT_REDIS_URL is not set and SESSKIT_REQUIRE_REDIS=1")
	case url == "":
		t.Skip("SESSKIT_REDIS_URL is not set")
	}
	opt, err := redisstore.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	prefix := "sesskit-adaptertest:" + rand.Text()[:12] + ":"
	t.Cleanup(func() {
		// t.Context is already cancelled when cleanups run.
		ctx := context.WithoutCancel(t.Context())
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
		rdb.Close()
	})
	if err := rdb.Ping(t.Context()).Err(); err != nil {
		t.Fatalf("redis at SESSKIT_REDIS_URL: %v", err)
	}
	st, err := redisstore.New(rdb, redisstore.WithPrefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	return st
}
