package sessiontest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// Lifetimes the suite uses. Cases that wait use short real durations; the
// rest use lifetimes no run ever reaches.
const (
	idle = 400 * time.Millisecond // idle timeout of the cases that wait it out
	long = time.Hour              // a lifetime no case waits out
)

// TTLReporter is what a store offers the suite beyond session.Store: the
// lifetime a session has left, so the lifetime rules can be checked without
// waiting them out. memstore and redisstore implement it.
type TTLReporter interface {
	// TTL returns the lifetime the session under id has left; zero or
	// less when there is none.
	TTL(ctx context.Context, id string) (time.Duration, error)
}

// TestStore runs the conformance suite against the Store implementation
// newStore returns; the store must also implement TTLReporter. Each case is
// a subtest; newStore is called once per subtest with that subtest's t (use
// t.Cleanup to close what it opens). Stores may share their backing data
// between calls: every case works on fresh random IDs (RandomID).
//
// The suite pins down the session.Store contract: deltas, no resurrection
// (after a delete, an expiry or a renewal), idle and absolute expiry judged
// by the rules, a session's own lifetime (session.Lifetime, within the
// ceilings), the touch rule, size and key limits, the same-key
// operations under concurrency, byte-exact values. It sleeps about two
// seconds in all and asserts no timing beyond "still there before" and
// "gone after".
func TestStore(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Helper()
	for _, c := range slices.Concat(storeCases, opCases, lifetimeCases) {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			if _, ok := s.(TTLReporter); !ok {
				t.Fatalf("%T does not implement sessiontest.TTLReporter", s)
			}
			c.run(t, s)
		})
	}
}

// RandomID returns a fresh session ID in the form the engine passes to a
// Store: 32 random bytes, base64url without padding (43 characters), like
// the SHA-256 hash of a token.
func RandomID() string {
	var b [32]byte
	rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// storeCase is one case of the suite.
type storeCase struct {
	name string
	run  func(t *testing.T, s session.Store)
}

// rules returns Rules at the current time with the given idle timeout, a
// long absolute timeout, touches always due and no limits.
func rules(idleTimeout time.Duration) session.Rules {
	return session.Rules{Now: time.Now(), Idle: idleTimeout, Absolute: 24 * long}
}

// create stores a new session or stops the test.
func create(t *testing.T, s session.Store, id string, created, deadline time.Time, idleTimeout time.Duration, values map[string][]byte) {
	t.Helper()
	r := rules(idleTimeout)
	r.Now = created
	if err := s.Create(t.Context(), id, session.Record{Created: created, Deadline: deadline, Values: values}, r); err != nil {
		t.Fatalf("Create: %v", err)
	}
}

// newSession creates a session with a long lifetime holding values.
func newSession(t *testing.T, s session.Store, values map[string][]byte) string {
	t.Helper()
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(long), long, values)
	return id
}

// save applies ch under rules(long), or stops the test.
func save(t *testing.T, s session.Store, id string, ch session.Change) {
	t.Helper()
	if err := s.Save(t.Context(), id, ch, rules(long)); err != nil {
		t.Fatalf("Save: %v", err)
	}
}

// changes are the ways to change a session, each as one call, for the
// cases that check every one of them is refused.
var changes = []struct {
	name string
	do   func(ctx context.Context, s session.Store, id string, r session.Rules) error
}{
	{"Save", func(ctx context.Context, s session.Store, id string, r session.Rules) error {
		return s.Save(ctx, id, session.Change{Set: map[string][]byte{"a": []byte("j1")}}, r)
	}},
	{"Save with append", func(ctx context.Context, s session.Store, id string, r session.Rules) error {
		return s.Save(ctx, id, session.Change{Append: map[string][][]byte{"l": {[]byte("j1")}}}, r)
	}},
	{"Incr", func(ctx context.Context, s session.Store, id string, r session.Rules) error {
		_, err := s.Incr(ctx, id, "n", 1, r)
		return err
	}},
	{"Pop", func(ctx context.Context, s session.Store, id string, r session.Rules) error {
		_, err := s.Pop(ctx, id, "a", r)
		return err
	}},
	{"Swap", func(ctx context.Context, s session.Store, id string, r session.Rules) error {
		_, _, err := s.Swap(ctx, id, "a", nil, []byte("j1"), r)
		return err
	}},
}

// wantRefused checks that every change to id fails with target and that
// none brings a session back.
func wantRefused(t *testing.T, s session.Store, id string, r session.Rules, target error) {
	t.Helper()
	for _, c := range changes {
		if err := c.do(t.Context(), s, id, r); !errors.Is(err, target) {
			t.Fatalf("%s = %v, want %v", c.name, err, target)
		}
	}
}

// wantNotFound checks that every change to id is refused with ErrNotFound
// and leaves nothing behind.
func wantNotFound(t *testing.T, s session.Store, id string) {
	t.Helper()
	wantRefused(t, s, id, rules(long), session.ErrNotFound)
	mustMissing(t, s, id)
}

// peek loads a session that must exist.
func peek(t *testing.T, s session.Store, id string) session.Record {
	t.Helper()
	rec, found, err := s.Load(t.Context(), id)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !found {
		t.Fatal("Load: session not found")
	}
	return rec
}

// mustMissing checks that id holds no session.
func mustMissing(t *testing.T, s session.Store, id string) {
	t.Helper()
	rec, found, err := s.Load(t.Context(), id)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if found {
		t.Fatalf("Load found a session that should be gone: %q", rec.Values)
	}
}

// ttl is the session's remaining lifetime as the store sees it.
func ttl(t *testing.T, s session.Store, id string) time.Duration {
	t.Helper()
	d, err := s.(TTLReporter).TTL(t.Context(), id)
	if err != nil {
		t.Fatalf("TTL: %v", err)
	}
	return d
}

func equalValues(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	if !sameValues(got, want) {
		t.Fatalf("values:\n got  %q\n want %q", sorted(got), sorted(want))
	}
}

// sameValues compares values byte for byte; nil and empty values are equal,
// as Redis cannot tell them apart.
func sameValues(got, want map[string][]byte) bool {
	return maps.EqualFunc(got, want, bytes.Equal)
}

// sorted lists values by name for readable failures.
func sorted(values map[string][]byte) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(values)) {
		v := values[k]
		if len(v) > 64 {
			v = append(v[:64:64], "..."...)
		}
		out = append(out, fmt.Sprintf("%s=%q", k, v))
	}
	return out
}
