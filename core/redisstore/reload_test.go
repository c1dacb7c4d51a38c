package redisstore_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// A Cluster primary that died answers no MOVED: the store must make the
// client reload its slot map, or the client keeps the dead address for
// ClusterStateReloadInterval (60 s by default). No Redis needed: the slot
// map comes from ClusterSlots and names a port nobody listens on.
func TestClusterReloadsSlotMapOnFailure(t *testing.T) {
	var loads atomic.Int64
	dead := deadAddr(t)
	rdb := redis.NewClusterClient(&redis.ClusterOptions{
		ClusterSlots: func(context.Context) ([]redis.ClusterSlot, error) {
			loads.Add(1)
			return []redis.ClusterSlot{{Start: 0, End: 16383, Nodes: []redis.ClusterNode{{Addr: dead}}}}, nil
		},
		ContextTimeoutEnabled: true, MaxRedirects: -1, DialerRetries: 1, DialTimeout: time.Second,
	})
	t.Cleanup(func() { rdb.Close() })
	s, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	_ = rdb.Ping(t.Context()) // loads the first slot map: every op below finds one
	if loads.Load() != 1 {
		t.Fatalf("%d slot map loads after the first command, want 1", loads.Load())
	}
	_, id := newToken(t)
	now := time.Now()
	ops := map[string]func(ctx context.Context) error{
		"load": func(ctx context.Context) error { _, _, err := s.Load(ctx, id); return err },
		"save": func(ctx context.Context) error {
			return s.Save(ctx, id, session.Change{}, session.Rules{Now: now, Idle: time.Hour, Absolute: time.Hour})
		},
		"delete": func(ctx context.Context) error { _, err := s.Delete(ctx, id); return err },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			before := loads.Load()
			if err := op(t.Context()); !errors.Is(err, session.ErrUnavailable) {
				t.Fatalf("%s = %v, want ErrUnavailable", name, err)
			}
			// The reload runs in the background.
			for start := time.Now(); loads.Load() <= before; time.Sleep(10 * time.Millisecond) {
				if time.Since(start) > 10*time.Second {
					t.Fatalf("%s failed and the slot map was not reloaded", name)
				}
			}
		})
	}
}
