package redistap_test

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/benchmarks/redistap"
)

func redisAddr(t *testing.T) string {
	t.Helper()
	raw := os.Getenv("SESSKIT_REDIS_URL")
	switch {
	case raw == "" && os.Getenv("SESSKIT_REQUIRE_REDIS") == "1":
		t.Fatal("SESSKIT_REDIS_URL is not set and SESSKIT_REQUIRE_REDIS=1")
	case raw == "":
		t.Skip("SESSKIT_REDIS_URL is not set")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// TestTap counts known traffic through the proxy: lone commands, a
// pipeline and a script are one round trip each.
func TestTap(t *testing.T) {
	tap, err := redistap.Listen(redisAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	defer tap.Close()
	rdb := redis.NewClient(&redis.Options{Addr: tap.Addr(), PoolSize: 1})
	defer rdb.Close()
	ctx := t.Context()
	key := "sesskit-bench-test:tap:" + t.Name()
	defer rdb.Del(context.Background(), key)
	script := redis.NewScript(`return redis.call('INCR', KEYS[1])`)
	tests := []struct {
		name             string
		do               func() error
		trips, commands  int64
		names            map[string]int64
		minIn, minOutput int64
	}{
		{"get", func() error { return rdb.Get(ctx, key).Err() }, 1, 1, map[string]int64{"GET": 1}, 20, 3},
		{"set", func() error { return rdb.Set(ctx, key, "12345678", 0).Err() }, 1, 1, map[string]int64{"SET": 1}, 30, 5},
		{"pipeline", func() error {
			_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				p.Get(ctx, key)
				p.Set(ctx, key, "1", 0)
				p.Get(ctx, key)
				return nil
			})
			return err
		}, 1, 3, map[string]int64{"GET": 2, "SET": 1}, 60, 10},
		{"script", func() error { return script.Run(ctx, rdb, []string{key}).Err() }, 1, 1, map[string]int64{"EVALSHA": 1}, 60, 4},
		{"transaction", func() error {
			_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, key, "1", 0)
				p.Get(ctx, key)
				return nil
			})
			return err
		}, 1, 4, map[string]int64{"MULTI": 1, "SET": 1, "GET": 1, "EXEC": 1}, 60, 10},
	}
	for _, tt := range tests {
		// Once unmeasured: go-redis may open a connection (HELLO, CLIENT
		// SETINFO) and a script's first EVALSHA falls back to EVAL.
		if err := tt.do(); err != nil && err != redis.Nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		before := tap.Counts()
		if err := tt.do(); err != nil && err != redis.Nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		d := tap.Counts().Sub(before)
		if d.RoundTrips != tt.trips || d.Commands != tt.commands || len(d.Names) != len(tt.names) {
			t.Errorf("%s: %d round trips, %d commands %v; want %d, %d %v", tt.name, d.RoundTrips, d.Commands, d.Names, tt.trips, tt.commands, tt.names)
		}
		for k, v := range tt.names {
			if d.Names[k] != v {
				t.Errorf("%s: %s x%d, want x%d", tt.name, k, d.Names[k], v)
			}
		}
		// Only the commands between MULTI and EXEC are queued: EXEC runs them.
		wantQueued := map[string]int64{}
		if tt.name == "transaction" {
			wantQueued = map[string]int64{"SET": 1, "GET": 1}
		}
		if len(d.Queued) != len(wantQueued) || d.Queued["SET"] != wantQueued["SET"] || d.Queued["GET"] != wantQueued["GET"] {
			t.Errorf("%s: queued %v, want %v", tt.name, d.Queued, wantQueued)
		}
		if d.BytesIn < tt.minIn || d.BytesOut < tt.minOutput {
			t.Errorf("%s: %d bytes in, %d out; want at least %d, %d", tt.name, d.BytesIn, d.BytesOut, tt.minIn, tt.minOutput)
		}
	}
}

// TestReadServer reads the server counters around one known command.
func TestReadServer(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: redisAddr(t)})
	defer rdb.Close()
	ctx := t.Context()
	before, err := redistap.ReadServer(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.Exists(ctx, "sesskit-bench-test:none").Err(); err != nil {
		t.Fatal(err)
	}
	after, err := redistap.ReadServer(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	d := after.Sub(before)
	// Other packages may share this server: check only what must hold.
	if d.Calls["exists"] < 1 || d.Calls["info"] < 1 || d.InputBytes <= 0 || d.Usec["info"] <= 0 || d.CPU <= 0 || d.MainCPU <= 0 {
		t.Errorf("delta %+v: want exists and info calls, their time, CPU and input bytes", d)
	}
}
