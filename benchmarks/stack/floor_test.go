package stack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/benchmarks/stack"
)

// TestFloorIsSesskitCompatible checks that the floor stores exactly what
// sesskit stores: a session made by either, copied under the other's key
// prefix, is read and changed by the other.
func TestFloorIsSesskitCompatible(t *testing.T) {
	cfg := testConfig(t)
	stacks := buildStacks(t, cfg)
	byName := map[string]*stack.Stack{}
	for _, s := range stacks {
		byName[s.Name()] = s
	}
	rdb := redis.NewClient(&redis.Options{Addr: cfg.Addr})
	defer rdb.Close()
	tests := []struct{ from, to string }{
		{"chi/floor", "chi/sesskit"},
		{"chi/sesskit", "chi/floor"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"->"+tt.to, func(t *testing.T) {
			from, to := stack.NewClient(byName[tt.from]), stack.NewClient(byName[tt.to])
			cookie, err := stack.Seed(from, stack.BigValues)
			if err != nil {
				t.Fatal(err)
			}
			copyKeys(t, rdb, cfg.Prefix+keyPrefix(tt.from), cfg.Prefix+keyPrefix(tt.to))
			steps := []struct{ method, target, want string }{
				{"GET", stack.PathRead, "alice"},
				{"POST", stack.PathIncr, "1"},
				{"PUT", stack.PathWrite, "ok"},
				{"GET", stack.PathCount + "?prefix=k", "50"},
			}
			for _, s := range steps {
				if status := to.Do(s.method, s.target, cookie); status != 200 || to.Body() != s.want {
					t.Fatalf("%s %s on %s: %d %q, want %q", s.method, s.target, tt.to, status, to.Body(), s.want)
				}
			}
		})
	}
}

// keyPrefix is the prefix a stack adds under Config.Prefix.
func keyPrefix(name string) string {
	framework, library, _ := strings.Cut(name, "/")
	return library + "-" + framework + ":"
}

// copyKeys copies every key under from to the same name under to.
func copyKeys(t *testing.T, rdb *redis.Client, from, to string) {
	t.Helper()
	ctx := context.Background()
	keys, _, err := rdb.Scan(ctx, 0, from+"*", 10_000).Result()
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys under %s: %v %v", from, keys, err)
	}
	for _, k := range keys {
		if err := rdb.Copy(ctx, k, to+strings.TrimPrefix(k, from), 0, true).Err(); err != nil {
			t.Fatal(err)
		}
	}
}
