package redisstore_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// TestKeys checks the layout helpers for tools without Redis: a client
// that never connects is enough.
func TestKeys(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	t.Cleanup(func() { rdb.Close() })
	s, err := redisstore.New(rdb, redisstore.WithPrefix("app*1:"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Pattern(); got != `app\*1:*` {
		t.Errorf("Pattern = %q", got)
	}
	id := strings.Repeat("a", 43)
	for _, tc := range []struct {
		handle string
		key    string
		kind   redisstore.KeyKind
	}{
		{id, "app*1:" + id, redisstore.KeySession},
		{"r" + id, "app*1:r:" + id, redisstore.KeyRemember},
	} {
		key, err := s.KeyOf(tc.handle)
		if err != nil || key != tc.key {
			t.Errorf("KeyOf(%q) = %q, %v; want %q", tc.handle, key, err, tc.key)
		}
		if kind, h := s.ParseKey(key); kind != tc.kind || h != tc.handle {
			t.Errorf("ParseKey(%q) = %v, %q", key, kind, h)
		}
	}
	if kind, _ := s.ParseKey("app*1:u:" + id); kind != redisstore.KeyUserIndex {
		t.Errorf("index key: %v", kind)
	}
	for _, key := range []string{"other:" + id, "app*1:short", "app*1:x:" + id} {
		if kind, h := s.ParseKey(key); kind != redisstore.KeyOther || h != "" {
			t.Errorf("ParseKey(%q) = %v, %q; want other", key, kind, h)
		}
	}
	if _, err := s.KeyOf("not-a-handle"); !errors.Is(err, redisstore.ErrInvalidID) {
		t.Errorf("KeyOf(bad) = %v", err)
	}

	rec, renewed, err := redisstore.ParseSession(map[string]string{"@c": "1000", "@d": "2000", "@u": "ann", "@s": "9", "a": "j1"})
	if err != nil || renewed || rec.User != "ann" || string(rec.Values["a"]) != "j1" || len(rec.Values) != 1 {
		t.Errorf("ParseSession = %+v, %v, %v", rec, renewed, err)
	}
	if _, renewed, _ := redisstore.ParseSession(map[string]string{"@m": "1"}); !renewed {
		t.Error("ParseSession did not see the renewal marker")
	}
	if _, _, err := redisstore.ParseSession(map[string]string{"a": "j1"}); !errors.Is(err, session.ErrCorrupt) {
		t.Errorf("ParseSession(no metadata) = %v", err)
	}
}
