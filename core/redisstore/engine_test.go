package redisstore_test

import (
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// TestEngine runs the adapter suite, with its lifecycle races (renew
// against destroy and against writes on the old token, requests in flight
// across a login), over net/http on every configured topology: on a
// Cluster the old and the new session of a renew live on different slots.
func TestEngine(t *testing.T) {
	var stores []sessiontest.NamedStore
	for _, c := range clients(t) {
		stores = append(stores, sessiontest.NamedStore{Name: c.name, New: func(tb testing.TB) session.Store {
			return newEngineStore(tb, c.rdb)
		}})
	}
	sessiontest.TestAdapter(t, sessiontest.Adapter{Serve: sessiontest.ServeNetHTTP, Stores: stores})
}

// newEngineStore is a store with a prefix of its own, its keys removed at
// the end.
func newEngineStore(tb testing.TB, rdb redis.UniversalClient) session.Store {
	prefix := "sesskit-engine:" + sessiontest.RandomID()[:12] + ":"
	tb.Cleanup(func() { deletePrefix(tb, rdb, prefix) })
	s, err := redisstore.New(rdb, redisstore.WithPrefix(prefix))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
