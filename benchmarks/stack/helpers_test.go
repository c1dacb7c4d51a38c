package stack_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/benchmarks/stack"
)

// testConfig returns a Config on the Redis of SESSKIT_REDIS_URL under a
// prefix of the test's own, deleted at the end. It skips without Redis, or
// fails when SESSKIT_REQUIRE_REDIS=1.
func testConfig(tb testing.TB) stack.Config {
	tb.Helper()
	url := os.Getenv("SESSKIT_REDIS_URL")
	switch {
	case url == "" && os.Getenv("SESSKIT_REQUIRE_REDIS") == "1":
		tb.Fatal("SESSKIT_REDIS_URL is not set and SESSKIT_REQUIRE_REDIS=1")
	case url == "":
		tb.Skip("SESSKIT_REDIS_URL is not set")
	}
	var b [6]byte
	rand.Read(b[:])
	cfg, err := stack.ConfigFromURL(url, "sesskit-bench-test:"+hex.EncodeToString(b[:])+":")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { deletePrefix(tb, cfg) })
	return cfg
}

func deletePrefix(tb testing.TB, cfg stack.Config) {
	rdb := redis.NewClient(&redis.Options{Addr: cfg.Addr})
	defer rdb.Close()
	ctx := context.Background()
	iter := rdb.Scan(ctx, 0, cfg.Prefix+"*", 500).Iterator()
	for iter.Next(ctx) {
		if err := rdb.Unlink(ctx, iter.Val()).Err(); err != nil {
			tb.Errorf("cleanup: %v", err)
			return
		}
	}
	if err := iter.Err(); err != nil {
		tb.Errorf("cleanup: %v", err)
	}
}

// buildStacks returns every stack on cfg, closed at the end.
func buildStacks(tb testing.TB, cfg stack.Config) []*stack.Stack {
	tb.Helper()
	stacks, err := stack.Build(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		for _, s := range stacks {
			if err := s.Close(); err != nil {
				tb.Error(err)
			}
		}
	})
	return stacks
}

// serve starts s on a loopback port and returns its address.
func serve(tb testing.TB, s *stack.Stack) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	if err := s.Serve(ln); err != nil {
		tb.Fatal(err)
	}
	return ln.Addr().String()
}
