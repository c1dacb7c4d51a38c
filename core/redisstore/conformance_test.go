package redisstore_test

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// TestConformance runs the suite every session.Store must pass, on each
// configured topology.
func TestConformance(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		sessiontest.TestStore(t, func(t *testing.T) session.Store { return newStore(t, rdb) })
	})
}

// TestUserStoreConformance runs the per-user suite on each topology.
func TestUserStoreConformance(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		sessiontest.TestUserStore(t, func(t *testing.T) session.Store { return newStore(t, rdb) })
	})
}
