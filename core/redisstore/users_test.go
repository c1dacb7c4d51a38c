package redisstore_test

import (
	"crypto/sha256"
	"encoding/base64"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// indexKey is where the store keeps user's index.
func indexKey(user string) string {
	sum := sha256.Sum256([]byte(user))
	return testPrefix + "u:" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestIndexExpiresWithItsSessions: a user's index key lives as long as its
// latest deadline, and no longer: once every session has passed its
// absolute deadline no index key is left (the cleanup bound is that
// deadline; sessions that end earlier by idleness leave their entries until
// then, or until a listing meets them).
func TestIndexExpiresWithItsSessions(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		user := "expiring-" + sessiontest.RandomID()[:8]
		now := time.Now()
		add := []session.IndexEntry{
			{Handle: sessiontest.RandomID(), Deadline: now.Add(300 * time.Millisecond)},
			{Handle: sessiontest.RandomID(), Deadline: now.Add(600 * time.Millisecond)},
		}
		if _, err := s.Index(t.Context(), user, add, nil, session.Limit{}, now); err != nil {
			t.Fatal(err)
		}
		if d := pttl(t, rdb, indexKey(user)); d <= 0 || d > 600*time.Millisecond {
			t.Fatalf("index PTTL = %v, want up to the latest deadline", d)
		}
		time.Sleep(800 * time.Millisecond)
		if exists(t, rdb, indexKey(user)) {
			t.Fatal("the index outlived its last deadline")
		}
		if _, err := s.Index(t.Context(), user, nil, []string{add[0].Handle}, session.Limit{}, time.Now()); err != nil {
			t.Fatal(err)
		}
		if exists(t, rdb, indexKey(user)) {
			t.Fatal("dropping from an empty index made a key")
		}
	})
}
