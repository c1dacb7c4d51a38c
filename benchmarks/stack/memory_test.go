package stack_test

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/benchmarks/stack"
)

// TestSessions checks the sessions the memory measurement stores: n values
// of the given size plus the five metadata fields, with a TTL, for sesskit
// and the floor alike.
func TestSessions(t *testing.T) {
	cfg := testConfig(t)
	rdb := redis.NewClient(&redis.Options{Addr: cfg.Addr})
	defer rdb.Close()
	for _, lib := range []string{stack.LibSesskit, stack.LibFloor} {
		keys, err := stack.Sessions(t.Context(), cfg, lib, 3, 20, 2)
		if err != nil || len(keys) != 2 {
			t.Fatalf("%s: %v %v", lib, keys, err)
		}
		h, err := rdb.HGetAll(t.Context(), keys[0]).Result()
		if err != nil || len(h) != 3+5 || len(h["k02"]) != 20 || h["@n"] != "3" {
			t.Errorf("%s: %v %v; want k00-k02 of 20 bytes and @c @d @t @s @n=3", lib, h, err)
		}
		if ttl := rdb.PTTL(t.Context(), keys[1]).Val(); ttl <= 0 {
			t.Errorf("%s: TTL %v", lib, ttl)
		}
	}
	if _, err := stack.Sessions(t.Context(), cfg, stack.LibSCS, 1, 20, 1); err == nil {
		t.Error("scs sessions were accepted")
	}
}
