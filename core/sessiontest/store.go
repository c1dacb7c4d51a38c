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
	"sync"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// Lifetimes the suite uses. Cases that wait use short real durations; the
// rest use lifetimes no run ever reaches.
const (
	idle  = 400 * time.Millisecond // idle timeout of the cases that wait it out
	long  = time.Hour              // a lifetime no case waits out
	never = time.Duration(1<<63 - 1)
)

// TestStore runs the conformance suite against the Store implementation
// newStore returns. Each case is a subtest; newStore is called once per
// subtest with that subtest's t (use t.Cleanup to close what it opens).
// Stores may share their backing data between calls: every case works on
// fresh random IDs (RandomID).
//
// The suite pins down the session.Store contract: round trips, deltas, no
// resurrection, idle and absolute expiry, the touch rule, size limits,
// concurrent writers and byte-exact values. It sleeps about two seconds in
// all and asserts no timing beyond "still there before" and "gone after".
func TestStore(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Helper()
	for _, c := range storeCases {
		t.Run(c.name, func(t *testing.T) {
			c.run(t, newStore(t))
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

var storeCases = []struct {
	name string
	run  func(t *testing.T, s session.Store)
}{
	{"create and load", testCreateLoad},
	{"missing session", testMissing},
	{"session without values", testNoValues},
	{"save changes only named fields", testDelta},
	{"save sets lifetime to idle", testSaveLifetime},
	{"save on missing session", testSaveMissing},
	{"save after delete", testSaveAfterDelete},
	{"delete missing session", testDeleteMissing},
	{"idle expiry", testIdleExpiry},
	{"touch rule", testTouchRule},
	{"touch after interval", testTouchAfterInterval},
	{"deadline caps lifetime", testDeadlineCap},
	{"deadline passed on engine clock", testDeadlineEngineClock},
	{"deadline expiry", testDeadlineExpiry},
	{"max size", testMaxSize},
	{"concurrent saves", testConcurrentSaves},
	{"binary values", testBinaryValues},
	{"field names", testFieldNames},
	{"no aliasing", testNoAliasing},
	{"ping", testPing},
	{"done context", testDoneContext},
}

func testCreateLoad(t *testing.T, s session.Store) {
	id, other := RandomID(), RandomID()
	created := time.Now()
	deadline := created.Add(long)
	want := map[string][]byte{"visits": []byte("j1"), "user": []byte(`j"alice"`), "@user": []byte(`j"alice"`)}
	create(t, s, id, created, deadline, idle, want)
	create(t, s, other, created, deadline, idle, map[string][]byte{"visits": []byte("j7")})

	rec := mustLoad(t, s, id, session.Touch{Now: time.Now(), Idle: idle, Interval: never})
	equalValues(t, rec.Values, want)
	if got, want := rec.Created.UnixMilli(), created.UnixMilli(); got != want {
		t.Errorf("Created = %d ms, want %d ms", got, want)
	}
	if got, want := rec.Deadline.UnixMilli(), deadline.UnixMilli(); got != want {
		t.Errorf("Deadline = %d ms, want %d ms", got, want)
	}
	if rec.TTL <= 0 || rec.TTL > idle {
		t.Errorf("TTL = %v, want in (0, %v]", rec.TTL, idle)
	}
	rec = mustLoad(t, s, other, session.Touch{Now: time.Now(), Idle: idle, Interval: never})
	equalValues(t, rec.Values, map[string][]byte{"visits": []byte("j7")})
}

func testMissing(t *testing.T, s session.Store) {
	mustMissing(t, s, RandomID())
}

func testNoValues(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(long), long, nil)
	if rec := peek(t, s, id); len(rec.Values) != 0 {
		t.Fatalf("Values = %q, want none", rec.Values)
	}
	save(t, s, id, session.Change{Set: map[string][]byte{"a": []byte("j1")}})
	save(t, s, id, session.Change{Delete: []string{"a"}})
	if rec := peek(t, s, id); len(rec.Values) != 0 {
		t.Fatalf("after deleting every value: Values = %q, want none (the session itself stays)", rec.Values)
	}
}

func testDelta(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(long), long, map[string][]byte{
		"a": []byte("j1"), "b": []byte("j2"), "c": []byte("j3"),
	})
	save(t, s, id, session.Change{
		Set:    map[string][]byte{"b": []byte("j20"), "d": []byte("j4")},
		Delete: []string{"c", "never-set"},
	})
	equalValues(t, peek(t, s, id).Values, map[string][]byte{
		"a": []byte("j1"), "b": []byte("j20"), "d": []byte("j4"),
	})
	save(t, s, id, session.Change{}) // an empty change changes nothing
	equalValues(t, peek(t, s, id).Values, map[string][]byte{
		"a": []byte("j1"), "b": []byte("j20"), "d": []byte("j4"),
	})
}

func testSaveLifetime(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(24*long), idle, nil)
	save(t, s, id, session.Change{Idle: long, Set: map[string][]byte{"a": []byte("j1")}})
	if rec := peek(t, s, id); rec.TTL <= idle || rec.TTL > long {
		t.Fatalf("TTL after a save with Idle %v = %v, want in (%v, %v]", long, rec.TTL, idle, long)
	}
}

func testSaveMissing(t *testing.T, s session.Store) {
	id := RandomID()
	wantNotFound(t, s, id)
	mustMissing(t, s, id)
}

func testSaveAfterDelete(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(long), long, map[string][]byte{"a": []byte("j1")})
	if err := s.Delete(t.Context(), id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustMissing(t, s, id)
	wantNotFound(t, s, id)
	mustMissing(t, s, id)
}

func testDeleteMissing(t *testing.T, s session.Store) {
	id := RandomID()
	if err := s.Delete(t.Context(), id); err != nil {
		t.Fatalf("Delete of a missing session: %v", err)
	}
	now := time.Now()
	create(t, s, id, now, now.Add(long), long, nil)
	for range 2 {
		if err := s.Delete(t.Context(), id); err != nil {
			t.Fatalf("Delete: %v", err)
		}
	}
}

func testIdleExpiry(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(long), idle, map[string][]byte{"a": []byte("j1")})
	peek(t, s, id)
	time.Sleep(idle + idle/2)
	mustMissing(t, s, id)
	wantNotFound(t, s, id)
	mustMissing(t, s, id)
}

// testTouchRule drives the rule "touch when (TTL a touch would set) -
// (remaining TTL) > Interval" through Touch.Idle, without waiting.
func testTouchRule(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(24*long), time.Minute, nil)

	// A touch would gain about a minute, less than the interval: no touch.
	rec := mustLoad(t, s, id, session.Touch{Now: time.Now(), Idle: 2 * time.Minute, Interval: 90 * time.Second})
	if rec.TTL <= 0 || rec.TTL > time.Minute {
		t.Fatalf("TTL = %v, want in (0, %v] (no touch)", rec.TTL, time.Minute)
	}
	// A touch would gain about 59 minutes, more than the interval: touch.
	rec = mustLoad(t, s, id, session.Touch{Now: time.Now(), Idle: long, Interval: 30 * time.Minute})
	if rec.TTL <= 30*time.Minute || rec.TTL > long {
		t.Fatalf("TTL after a touch to %v = %v, want in (%v, %v]", long, rec.TTL, 30*time.Minute, long)
	}
	// Another hour would gain less than the interval: no touch.
	rec = mustLoad(t, s, id, session.Touch{Now: time.Now(), Idle: 2 * long, Interval: 90 * time.Minute})
	if rec.TTL > long {
		t.Fatalf("TTL = %v, want at most %v (no touch)", rec.TTL, long)
	}
	if rec = peek(t, s, id); rec.TTL <= 30*time.Minute || rec.TTL > long {
		t.Fatalf("TTL = %v, want in (%v, %v]", rec.TTL, 30*time.Minute, long)
	}
}

// testTouchAfterInterval checks the touch rule on the store's own clock.
// Its checks lean on measured gaps, not on sleeps being exact, so a busy
// machine cannot fail it: each check holds for any delay in its window.
func testTouchAfterInterval(t *testing.T, s session.Store) {
	const (
		life     = 3 * time.Second
		interval = time.Second
	)
	id := RandomID()
	created := time.Now() // before the write: the first lifetime ends by created+life
	create(t, s, id, created, created.Add(long), life, map[string][]byte{"a": []byte("j1")})
	written := time.Now() // after the write: the first lifetime lasts at least until written+life
	touch := func() session.Touch { return session.Touch{Now: time.Now(), Idle: life, Interval: interval} }

	time.Sleep(200 * time.Millisecond)
	gap := time.Since(written)
	rec := mustLoad(t, s, id, touch())
	if used := time.Since(created); used < interval && rec.TTL > life-gap {
		t.Fatalf("load %v into the lifetime (interval %v): TTL = %v, want no touch (at most %v)", used, interval, rec.TTL, life-gap)
	}

	time.Sleep(time.Until(written.Add(3 * interval / 2)))
	second := time.Now() // more than the interval used: this load touches
	if rec := mustLoad(t, s, id, touch()); rec.TTL <= life-interval || rec.TTL > life {
		t.Fatalf("load %v into the lifetime: TTL = %v, want a touch back to about %v", second.Sub(created), rec.TTL, life)
	}

	// Past the first lifetime, within the touched one (which ends after second+life).
	time.Sleep(time.Until(created.Add(life + 100*time.Millisecond)))
	if time.Since(second) >= life {
		t.Skipf("the machine stalled for %v; the touched lifetime is over too", time.Since(second))
	}
	if rec := mustLoad(t, s, id, touch()); !bytes.Equal(rec.Values["a"], []byte("j1")) {
		t.Fatalf("values after the touch = %q", rec.Values)
	}
}

func testDeadlineCap(t *testing.T, s session.Store) {
	const left = 2 * time.Second
	id := RandomID()
	now := time.Now()
	deadline := now.Add(left)
	create(t, s, id, now, deadline, long, nil)
	if rec := peek(t, s, id); rec.TTL <= 0 || rec.TTL > left {
		t.Fatalf("after create: TTL = %v, want in (0, %v]", rec.TTL, left)
	}
	save(t, s, id, session.Change{Idle: long, Set: map[string][]byte{"a": []byte("j1")}})
	if rec := peek(t, s, id); rec.TTL <= 0 || rec.TTL > left {
		t.Fatalf("after save: TTL = %v, want in (0, %v]", rec.TTL, left)
	}
	rec := mustLoad(t, s, id, session.Touch{Now: time.Now(), Idle: long, Interval: 0})
	if rec.TTL <= 0 || rec.TTL > left {
		t.Fatalf("after touch: TTL = %v, want in (0, %v]", rec.TTL, left)
	}
	if rec.Deadline.UnixMilli() != deadline.UnixMilli() {
		t.Fatalf("Deadline moved: %v, want %v", rec.Deadline, deadline)
	}
}

// testDeadlineEngineClock checks that Load and Save judge the absolute
// deadline by the engine's clock (Touch.Now, Change.Now), not only by the
// key's TTL, by handing them a time past the deadline.
func testDeadlineEngineClock(t *testing.T, s session.Store) {
	now := time.Now()
	deadline := now.Add(long)
	late := deadline.Add(time.Second)

	loadID := RandomID()
	create(t, s, loadID, now, deadline, long, map[string][]byte{"a": []byte("j1")})
	rec, found, err := s.Load(t.Context(), loadID, session.Touch{Now: late, Idle: long, Interval: 0})
	if err != nil || found {
		t.Fatalf("Load after the deadline = %+v, %v, %v; want not found, nil", rec, found, err)
	}

	saveID := RandomID()
	create(t, s, saveID, now, deadline, long, map[string][]byte{"a": []byte("j1")})
	err = s.Save(t.Context(), saveID, session.Change{Now: late, Idle: long, Set: map[string][]byte{"b": []byte("j2")}})
	if !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Save after the deadline = %v, want ErrNotFound", err)
	}
	mustMissing(t, s, saveID) // removed, though its TTL had not run out
}

func testDeadlineExpiry(t *testing.T, s session.Store) {
	const left = 300 * time.Millisecond
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(left), long, map[string][]byte{"a": []byte("j1")})
	peek(t, s, id)
	time.Sleep(left + 200*time.Millisecond)
	mustMissing(t, s, id)
	wantNotFound(t, s, id)
	mustMissing(t, s, id)
}

func testMaxSize(t *testing.T, s session.Store) {
	const limit = 20
	ctx := t.Context()
	id := RandomID()
	now := time.Now()
	v := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }
	change := func(set map[string][]byte, del ...string) session.Change {
		return session.Change{Now: time.Now(), Idle: long, Set: set, Delete: del, MaxSize: limit}
	}
	create(t, s, id, now, now.Add(long), long, map[string][]byte{"a": v(9)}) // 10 bytes

	steps := []struct {
		name    string
		change  session.Change
		tooBig  bool
		want    map[string][]byte
		comment string
	}{
		{"fill to the limit", change(map[string][]byte{"b": v(9)}), false,
			map[string][]byte{"a": v(9), "b": v(9)}, "20 bytes: exactly MaxSize, metadata not counted"},
		{"one byte over", change(map[string][]byte{"c": nil}), true,
			map[string][]byte{"a": v(9), "b": v(9)}, "21 bytes"},
		{"delete and set, still over", change(map[string][]byte{"c": v(19)}, "a"), true,
			map[string][]byte{"a": v(9), "b": v(9)}, "the refused change deletes nothing either"},
		{"delete makes room", change(map[string][]byte{"c": v(8)}, "a"), false,
			map[string][]byte{"b": v(9), "c": v(8)}, "19 bytes after the change"},
		{"replacement counted once", change(map[string][]byte{"b": v(10)}), false,
			map[string][]byte{"b": v(10), "c": v(8)}, "20 bytes"},
		{"replacement over", change(map[string][]byte{"b": v(11)}), true,
			map[string][]byte{"b": v(10), "c": v(8)}, "21 bytes"},
	}
	for _, st := range steps {
		err := s.Save(ctx, id, st.change)
		switch {
		case st.tooBig && !errors.Is(err, session.ErrTooLarge):
			t.Fatalf("%s (%s): Save = %v, want ErrTooLarge", st.name, st.comment, err)
		case !st.tooBig && err != nil:
			t.Fatalf("%s (%s): Save = %v, want nil", st.name, st.comment, err)
		}
		rec := peek(t, s, id)
		if !sameValues(rec.Values, st.want) {
			t.Fatalf("%s (%s): values %q, want %q", st.name, st.comment, rec.Values, st.want)
		}
	}

	big := RandomID()
	err := s.Save(ctx, big, session.Change{
		Create: true, Now: now, Idle: long, Created: now, Deadline: now.Add(long),
		Set: map[string][]byte{"a": v(20)}, MaxSize: limit,
	})
	if !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("Create over MaxSize = %v, want ErrTooLarge", err)
	}
	mustMissing(t, s, big)
}

func testConcurrentSaves(t *testing.T, s session.Store) {
	const writers = 50
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(long), long, map[string][]byte{"base": []byte("j0")})
	want := map[string][]byte{"base": []byte("j0")}
	for i := range writers {
		want[fmt.Sprintf("field %02d", i)] = fmt.Appendf(nil, "j%d", i)
	}
	var wg sync.WaitGroup
	for k, v := range want {
		if k == "base" {
			continue
		}
		wg.Go(func() {
			err := s.Save(t.Context(), id, session.Change{Now: time.Now(), Idle: long, Set: map[string][]byte{k: v}})
			if err != nil {
				t.Errorf("Save %q: %v", k, err)
			}
		})
	}
	wg.Wait()
	equalValues(t, peek(t, s, id).Values, want)
}

func testBinaryValues(t *testing.T, s session.Store) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	random := make([]byte, 64<<10)
	rand.Read(random)
	values := map[string][]byte{
		"all bytes":   all,
		"empty":       {},
		"nul":         {0},
		"invalid utf": {'j', 0xff, 0xfe, 0xc3, 0x28},
		"random 64k":  random,
	}
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(long), long, values)
	equalValues(t, peek(t, s, id).Values, values)

	id = RandomID()
	create(t, s, id, now, now.Add(long), long, nil)
	save(t, s, id, session.Change{Set: values})
	equalValues(t, peek(t, s, id).Values, values)
}

func testFieldNames(t *testing.T, s session.Store) {
	names := []string{
		"with space", " leading and trailing ", "tab\tinside", "ünïcödé", "日本語のキー",
		"emoji 🎉", "@user", "@", "dots.and-dashes_", "1", "{hash}tag", "a:b", `"quoted"`,
	}
	values := make(map[string][]byte, len(names))
	for i, n := range names {
		values[n] = fmt.Appendf(nil, "j%d", i)
	}
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(long), long, values)
	equalValues(t, peek(t, s, id).Values, values)

	save(t, s, id, session.Change{
		Set:    map[string][]byte{"ünïcödé": []byte("jnew"), "новый ключ": []byte("j1")},
		Delete: []string{"emoji 🎉", "with space"},
	})
	values["ünïcödé"], values["новый ключ"] = []byte("jnew"), []byte("j1")
	delete(values, "emoji 🎉")
	delete(values, "with space")
	equalValues(t, peek(t, s, id).Values, values)
}

func testNoAliasing(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	in := []byte("joriginal")
	create(t, s, id, now, now.Add(long), long, map[string][]byte{"a": in})
	in[1] = 'X'
	set := []byte("jsaved")
	save(t, s, id, session.Change{Set: map[string][]byte{"b": set}})
	set[1] = 'X'

	rec := peek(t, s, id)
	for _, v := range rec.Values {
		if len(v) > 1 {
			v[1] = 'Y'
		}
	}
	rec.Values["c"] = []byte("jadded")
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"a": []byte("joriginal"), "b": []byte("jsaved")})
}

func testPing(t *testing.T, s session.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testDoneContext(t *testing.T, s session.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	id := RandomID()
	now := time.Now()
	if _, _, err := s.Load(ctx, id, session.Touch{Now: now, Idle: long}); err == nil {
		t.Error("Load with a done context: nil error")
	}
	err := s.Save(ctx, id, session.Change{Create: true, Now: now, Idle: long, Created: now, Deadline: now.Add(long)})
	if err == nil {
		t.Error("Save with a done context: nil error")
	}
	if err := s.Delete(ctx, id); err == nil {
		t.Error("Delete with a done context: nil error")
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping with a done context: nil error")
	}
}

// create stores a new session or stops the test.
func create(t *testing.T, s session.Store, id string, created, deadline time.Time, idle time.Duration, values map[string][]byte) {
	t.Helper()
	err := s.Save(t.Context(), id, session.Change{
		Create: true, Now: created, Idle: idle, Created: created, Deadline: deadline, Set: values,
	})
	if err != nil {
		t.Fatalf("Save (create): %v", err)
	}
}

// save applies ch, filling in Now and a long Idle when ch leaves them zero,
// or stops the test.
func save(t *testing.T, s session.Store, id string, ch session.Change) {
	t.Helper()
	if ch.Now.IsZero() {
		ch.Now = time.Now()
	}
	if ch.Idle == 0 {
		ch.Idle = long
	}
	if err := s.Save(t.Context(), id, ch); err != nil {
		t.Fatalf("Save: %v", err)
	}
}

// wantNotFound checks that a change to id is refused with ErrNotFound.
func wantNotFound(t *testing.T, s session.Store, id string) {
	t.Helper()
	err := s.Save(t.Context(), id, session.Change{Now: time.Now(), Idle: long, Set: map[string][]byte{"a": []byte("j1")}})
	if !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Save without Create = %v, want ErrNotFound", err)
	}
}

// mustLoad loads a session that must exist.
func mustLoad(t *testing.T, s session.Store, id string, touch session.Touch) session.Record {
	t.Helper()
	rec, found, err := s.Load(t.Context(), id, touch)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !found {
		t.Fatal("Load: session not found")
	}
	return rec
}

// peek loads a session that must exist, without touching it.
func peek(t *testing.T, s session.Store, id string) session.Record {
	t.Helper()
	return mustLoad(t, s, id, session.Touch{Now: time.Now(), Idle: long, Interval: never})
}

// mustMissing checks that id holds no session.
func mustMissing(t *testing.T, s session.Store, id string) {
	t.Helper()
	rec, found, err := s.Load(t.Context(), id, session.Touch{Now: time.Now(), Idle: long, Interval: never})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if found {
		t.Fatalf("Load found a session that should be gone: %q", rec.Values)
	}
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
