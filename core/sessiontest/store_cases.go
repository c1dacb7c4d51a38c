package sessiontest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

var storeCases = []storeCase{
	{"create and load", testCreateLoad},
	{"missing session", testMissing},
	{"session without values", testNoValues},
	{"save changes only named fields", testDelta},
	{"user", testUser},
	{"changes on missing session", testChangeMissing},
	{"changes after delete", testChangeAfterDelete},
	{"delete missing session", testDeleteMissing},
	{"idle expiry", testIdleExpiry},
	{"touch rule", testTouchRule},
	{"touch", testTouch},
	{"deadline caps lifetime", testDeadlineCap},
	{"deadline passed on engine clock", testDeadlineEngineClock},
	{"absolute timeout caps stored deadline", testAbsoluteCap},
	{"deadline expiry", testDeadlineExpiry},
	{"max size", testMaxSize},
	{"max keys and value size", testMaxKeys},
	{"lowered limits let a session shrink", testLoweredLimits},
	{"concurrent saves", testConcurrentSaves},
	{"binary values", testBinaryValues},
	{"field names", testFieldNames},
	{"no aliasing", testNoAliasing},
	{"take", testTake},
	{"take is atomic", testTakeAtomic},
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

	rec := peek(t, s, id)
	equalValues(t, rec.Values, want)
	if got, want := rec.Created.UnixMilli(), created.UnixMilli(); got != want {
		t.Errorf("Created = %d ms, want %d ms", got, want)
	}
	if got, want := rec.Deadline.UnixMilli(), deadline.UnixMilli(); got != want {
		t.Errorf("Deadline = %d ms, want %d ms", got, want)
	}
	if got, want := rec.Touched.UnixMilli(), created.UnixMilli(); got != want {
		t.Errorf("Touched = %d ms, want %d ms (the creation)", got, want)
	}
	if d := ttl(t, s, id); d <= 0 || d > idle {
		t.Errorf("TTL = %v, want in (0, %v]", d, idle)
	}
	equalValues(t, peek(t, s, other).Values, map[string][]byte{"visits": []byte("j7")})
}

func testMissing(t *testing.T, s session.Store) {
	mustMissing(t, s, RandomID())
}

func testNoValues(t *testing.T, s session.Store) {
	id := newSession(t, s, nil)
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
	id := newSession(t, s, map[string][]byte{"a": []byte("j1"), "b": []byte("j2"), "c": []byte("j3")})
	save(t, s, id, session.Change{
		Set:    map[string][]byte{"b": []byte("j20"), "d": []byte("j4")},
		Delete: []string{"c", "never-set"},
	})
	want := map[string][]byte{"a": []byte("j1"), "b": []byte("j20"), "d": []byte("j4")}
	equalValues(t, peek(t, s, id).Values, want)
	save(t, s, id, session.Change{}) // an empty change changes nothing
	equalValues(t, peek(t, s, id).Values, want)
}

func testUser(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	err := s.Create(t.Context(), id, session.Record{Created: now, Deadline: now.Add(long), User: "alice"}, rules(long))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if rec := peek(t, s, id); rec.User != "alice" || len(rec.Values) != 0 {
		t.Fatalf("User %q, values %q; want alice and no values (the user is not a value)", rec.User, rec.Values)
	}
	bob, none := "bob", ""
	save(t, s, id, session.Change{User: &bob, Set: map[string][]byte{"a": []byte("j1")}})
	if rec := peek(t, s, id); rec.User != "bob" {
		t.Fatalf("User = %q, want bob", rec.User)
	}
	save(t, s, id, session.Change{Set: map[string][]byte{"b": []byte("j2")}})
	if rec := peek(t, s, id); rec.User != "bob" {
		t.Fatalf("User after a change without one = %q, want bob kept", rec.User)
	}
	save(t, s, id, session.Change{User: &none})
	if rec := peek(t, s, id); rec.User != "" {
		t.Fatalf("User after removing it = %q", rec.User)
	}
}

func testChangeMissing(t *testing.T, s session.Store) {
	id := RandomID()
	wantNotFound(t, s, id)
	if err := s.Touch(t.Context(), id, rules(long)); err != nil {
		t.Fatalf("Touch of a missing session: %v", err)
	}
	mustMissing(t, s, id)
}

func testChangeAfterDelete(t *testing.T, s session.Store) {
	id := newSession(t, s, map[string][]byte{"a": []byte("j1")})
	if _, err := s.Delete(t.Context(), id); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustMissing(t, s, id)
	wantNotFound(t, s, id)
	if err := s.Touch(t.Context(), id, rules(long)); err != nil {
		t.Fatalf("Touch after Delete: %v", err)
	}
	mustMissing(t, s, id)
}

func testDeleteMissing(t *testing.T, s session.Store) {
	id := RandomID()
	if _, err := s.Delete(t.Context(), id); err != nil {
		t.Fatalf("Delete of a missing session: %v", err)
	}
	id = newSession(t, s, nil)
	for range 2 {
		if _, err := s.Delete(t.Context(), id); err != nil {
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
}

// testTouchRule checks that a change extends the lifetime only once more
// than the touch interval has passed since the last touch, and that loads
// never do.
func testTouchRule(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(24*long), time.Minute, nil)
	r := rules(long)
	r.TouchInterval = 30 * time.Minute

	// Less than the interval since the creation: the change does not touch.
	if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"a": []byte("j1")}}, r); err != nil {
		t.Fatal(err)
	}
	if d := ttl(t, s, id); d <= 0 || d > time.Minute {
		t.Fatalf("TTL = %v, want in (0, %v] (no touch)", d, time.Minute)
	}
	// On the engine's clock the interval has passed: the change touches.
	r.Now = now.Add(31 * time.Minute)
	if _, err := s.Incr(t.Context(), id, "n", 1, r); err != nil {
		t.Fatal(err)
	}
	if d := ttl(t, s, id); d <= 30*time.Minute || d > long {
		t.Fatalf("TTL after a due touch to %v = %v, want in (%v, %v]", long, d, 30*time.Minute, long)
	}
	if got := peek(t, s, id).Touched.UnixMilli(); got != r.Now.UnixMilli() {
		t.Fatalf("Touched = %d, want %d", got, r.Now.UnixMilli())
	}
	// Loading never touches.
	r.Idle = 2 * long
	for range 3 {
		peek(t, s, id)
	}
	if d := ttl(t, s, id); d > long {
		t.Fatalf("TTL = %v after loads, want at most %v", d, long)
	}
}

func testTouch(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	create(t, s, id, now, now.Add(24*long), time.Minute, map[string][]byte{"a": []byte("j1")})
	r := rules(long)
	r.TouchInterval = 24 * long // Touch touches whether or not a change would
	if err := s.Touch(t.Context(), id, r); err != nil {
		t.Fatalf("Touch: %v", err)
	}
	if d := ttl(t, s, id); d <= time.Minute || d > long {
		t.Fatalf("TTL after Touch to %v = %v, want in (%v, %v]", long, d, time.Minute, long)
	}
	rec := peek(t, s, id)
	if rec.Touched.UnixMilli() != r.Now.UnixMilli() {
		t.Fatalf("Touched = %v, want %v", rec.Touched, r.Now)
	}
	equalValues(t, rec.Values, map[string][]byte{"a": []byte("j1")})
}

func testDeadlineCap(t *testing.T, s session.Store) {
	const left = 2 * time.Second
	id := RandomID()
	now := time.Now()
	deadline := now.Add(left)
	create(t, s, id, now, deadline, long, nil)
	if d := ttl(t, s, id); d <= 0 || d > left {
		t.Fatalf("after create: TTL = %v, want in (0, %v]", d, left)
	}
	save(t, s, id, session.Change{Set: map[string][]byte{"a": []byte("j1")}})
	if d := ttl(t, s, id); d <= 0 || d > left {
		t.Fatalf("after save: TTL = %v, want in (0, %v]", d, left)
	}
	if err := s.Touch(t.Context(), id, rules(long)); err != nil {
		t.Fatal(err)
	}
	if d := ttl(t, s, id); d <= 0 || d > left {
		t.Fatalf("after touch: TTL = %v, want in (0, %v]", d, left)
	}
	if rec := peek(t, s, id); rec.Deadline.UnixMilli() != deadline.UnixMilli() {
		t.Fatalf("Deadline moved: %v, want %v", rec.Deadline, deadline)
	}
}

// testDeadlineEngineClock checks that changes judge the absolute deadline
// by the engine's clock (Rules.Now), not only by the key's TTL.
func testDeadlineEngineClock(t *testing.T, s session.Store) {
	now := time.Now()
	deadline := now.Add(long)
	late := rules(long)
	late.Now = deadline.Add(time.Second)
	for _, c := range changes {
		id := RandomID()
		create(t, s, id, now, deadline, long, map[string][]byte{"a": []byte("j1")})
		if err := c.do(t.Context(), s, id, late); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("%s after the deadline = %v, want ErrNotFound", c.name, err)
		}
		mustMissing(t, s, id) // removed, though its TTL had not run out
	}
}

// testAbsoluteCap checks that a session never outlives Created + Absolute,
// whatever deadline it stores: lowering the absolute timeout shortens
// existing sessions, and a forged far-future deadline buys nothing.
func testAbsoluteCap(t *testing.T, s session.Store) {
	created := time.Now().Add(-2 * time.Hour)
	r := rules(long)
	r.Absolute = time.Hour // the stored deadline says a year
	for _, c := range changes {
		id := RandomID()
		create(t, s, id, created, created.Add(365*24*time.Hour), long, map[string][]byte{"a": []byte("j1")})
		if err := c.do(t.Context(), s, id, r); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("%s past created + absolute = %v, want ErrNotFound", c.name, err)
		}
	}
	id := RandomID()
	create(t, s, id, created, created.Add(365*24*time.Hour), long, nil)
	r.Absolute = 3 * time.Hour
	save(t, s, id, session.Change{Set: map[string][]byte{"a": []byte("j1")}})
	if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"a": []byte("j1")}}, r); err != nil {
		t.Fatal(err)
	}
	if err := s.Touch(t.Context(), id, r); err != nil {
		t.Fatal(err)
	}
	if d := ttl(t, s, id); d <= 0 || d > time.Hour {
		t.Fatalf("TTL = %v, want at most the %v left of created + absolute", d, time.Hour)
	}
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
}

func testMaxSize(t *testing.T, s session.Store) {
	const o = session.FieldOverhead
	const limit = 20 + 2*o
	ctx := t.Context()
	v := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }
	r := rules(long)
	r.MaxSize = limit
	id := newSession(t, s, map[string][]byte{"a": v(9)}) // 10 bytes + overhead

	steps := []struct {
		name    string
		change  session.Change
		tooBig  bool
		want    map[string][]byte
		comment string
	}{
		{"fill to the limit", session.Change{Set: map[string][]byte{"b": v(9)}}, false,
			map[string][]byte{"a": v(9), "b": v(9)}, "exactly MaxSize, metadata not counted"},
		{"one byte over", session.Change{Set: map[string][]byte{"b": v(10)}}, true,
			map[string][]byte{"a": v(9), "b": v(9)}, "one byte more"},
		{"a third value", session.Change{Set: map[string][]byte{"c": nil}}, true,
			map[string][]byte{"a": v(9), "b": v(9)}, "its overhead alone does not fit"},
		{"delete and set, still over", session.Change{Set: map[string][]byte{"c": v(19)}, Delete: []string{"a"}}, true,
			map[string][]byte{"a": v(9), "b": v(9)}, "the refused change deletes nothing either"},
		{"delete makes room", session.Change{Set: map[string][]byte{"c": v(8)}, Delete: []string{"a"}}, false,
			map[string][]byte{"b": v(9), "c": v(8)}, "one byte under"},
		{"replacement counted once", session.Change{Set: map[string][]byte{"b": v(10)}}, false,
			map[string][]byte{"b": v(10), "c": v(8)}, "exactly MaxSize"},
		{"append over", session.Change{Append: map[string][][]byte{"c": {v(1)}}}, true,
			map[string][]byte{"b": v(10), "c": v(8)}, "the list would be longer than the value"},
	}
	for _, st := range steps {
		err := s.Save(ctx, id, st.change, r)
		switch {
		case st.tooBig && !errors.Is(err, session.ErrTooLarge):
			t.Fatalf("%s (%s): Save = %v, want ErrTooLarge", st.name, st.comment, err)
		case !st.tooBig && err != nil:
			t.Fatalf("%s (%s): Save = %v, want nil", st.name, st.comment, err)
		}
		if rec := peek(t, s, id); !sameValues(rec.Values, st.want) {
			t.Fatalf("%s (%s): values %q, want %q", st.name, st.comment, rec.Values, st.want)
		}
	}
	if _, err := s.Incr(ctx, id, "n", 1, r); !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("Incr of a new counter in a full session = %v, want ErrTooLarge", err)
	}
	if _, _, err := s.Swap(ctx, id, "c", v(8), v(9), r); !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("Swap to a larger value in a full session = %v, want ErrTooLarge", err)
	}
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"b": v(10), "c": v(8)})

	big := RandomID()
	err := s.Create(ctx, big, session.Record{Created: r.Now, Deadline: r.Now.Add(long), Values: map[string][]byte{"a": v(20 + o)}}, r)
	if !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("Create over MaxSize = %v, want ErrTooLarge", err)
	}
	mustMissing(t, s, big)
}

func testMaxKeys(t *testing.T, s session.Store) {
	ctx := t.Context()
	r := rules(long)
	r.MaxKeys, r.MaxValue = 3, 10
	id := newSession(t, s, map[string][]byte{"a": []byte("j1"), "b": []byte("j2")})
	if err := s.Save(ctx, id, session.Change{Set: map[string][]byte{"c": []byte("j3")}}, r); err != nil {
		t.Fatalf("third value: %v", err)
	}
	fourth := map[string]func() error{
		"Save": func() error { return s.Save(ctx, id, session.Change{Set: map[string][]byte{"d": []byte("j4")}}, r) },
		"Save with append": func() error {
			return s.Save(ctx, id, session.Change{Append: map[string][][]byte{"d": {[]byte("j4")}}}, r)
		},
		"Incr": func() error { _, err := s.Incr(ctx, id, "d", 1, r); return err },
		"Swap": func() error { _, _, err := s.Swap(ctx, id, "d", nil, []byte("j4"), r); return err },
	}
	for name, do := range fourth {
		if err := do(); !errors.Is(err, session.ErrTooLarge) {
			t.Fatalf("%s of a fourth value = %v, want ErrTooLarge", name, err)
		}
	}
	if err := s.Save(ctx, id, session.Change{Set: map[string][]byte{"d": []byte("j4")}, Delete: []string{"a"}}, r); err != nil {
		t.Fatalf("replacing one value by another: %v", err)
	}
	if err := s.Save(ctx, id, session.Change{Set: map[string][]byte{"b": []byte("j123456789")}}, r); !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("value of 11 bytes with MaxValue 10 = %v, want ErrTooLarge", err)
	}
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"b": []byte("j2"), "c": []byte("j3"), "d": []byte("j4")})
	big := RandomID()
	err := s.Create(ctx, big, session.Record{Created: r.Now, Deadline: r.Now.Add(long), Values: map[string][]byte{
		"a": []byte("j"), "b": []byte("j"), "c": []byte("j"), "d": []byte("j"),
	}}, r)
	if !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("Create of 4 values with MaxKeys 3 = %v, want ErrTooLarge", err)
	}
	mustMissing(t, s, big)
}

func testLoweredLimits(t *testing.T, s session.Store) {
	id := newSession(t, s, map[string][]byte{"a": bytes.Repeat([]byte("x"), 100), "b": []byte("j2"), "c": []byte("j3")})
	r := rules(long)
	r.MaxSize, r.MaxKeys = 10, 1 // the session is over both
	if err := s.Save(t.Context(), id, session.Change{Delete: []string{"b"}}, r); err != nil {
		t.Fatalf("shrinking a session over lowered limits: %v", err)
	}
	if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"a": []byte("j1")}}, r); err != nil {
		t.Fatalf("shrinking a value of a session over lowered limits: %v", err)
	}
	if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"d": []byte("j4")}}, r); !errors.Is(err, session.ErrTooLarge) {
		t.Fatalf("growing a session over lowered limits = %v, want ErrTooLarge", err)
	}
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"a": []byte("j1"), "c": []byte("j3")})
}

func testConcurrentSaves(t *testing.T, s session.Store) {
	const writers = 50
	id := newSession(t, s, map[string][]byte{"base": []byte("j0")})
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
			if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{k: v}}, rules(long)); err != nil {
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
	id := newSession(t, s, values)
	equalValues(t, peek(t, s, id).Values, values)

	id = newSession(t, s, nil)
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
	id := newSession(t, s, values)
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
	in := []byte("joriginal")
	id := newSession(t, s, map[string][]byte{"a": in})
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

// testTake checks that Take returns the session and leaves the renewal
// marker: the old ID answers ErrRenewed to every change and to Load, and
// never counts as found.
func testTake(t *testing.T, s session.Store) {
	ctx := t.Context()
	if _, found, err := s.Take(ctx, RandomID(), rules(long)); found || err != nil {
		t.Fatalf("Take of a missing session = found %v, %v; want not found, nil", found, err)
	}
	now := time.Now()
	id := RandomID()
	err := s.Create(ctx, id, session.Record{Created: now, Deadline: now.Add(long), User: "alice", Values: map[string][]byte{"a": []byte("j1")}}, rules(long))
	if err != nil {
		t.Fatal(err)
	}
	rec, found, err := s.Take(ctx, id, rules(long))
	if err != nil || !found {
		t.Fatalf("Take = found %v, %v", found, err)
	}
	equalValues(t, rec.Values, map[string][]byte{"a": []byte("j1")})
	if rec.User != "alice" || rec.Created.UnixMilli() != now.UnixMilli() || rec.Deadline.UnixMilli() != now.Add(long).UnixMilli() {
		t.Fatalf("Take returned %+v", rec)
	}
	if _, found, err := s.Load(ctx, id); found || !errors.Is(err, session.ErrRenewed) {
		t.Fatalf("Load after Take = found %v, %v; want ErrRenewed", found, err)
	}
	wantRefused(t, s, id, rules(long), session.ErrRenewed)
	if _, found, err := s.Take(ctx, id, rules(long)); found || !errors.Is(err, session.ErrRenewed) {
		t.Fatalf("second Take = found %v, %v; want ErrRenewed", found, err)
	}
	if err := s.Touch(ctx, id, rules(long)); err != nil {
		t.Fatalf("Touch after Take: %v", err)
	}
	if d := ttl(t, s, id); d <= 0 || d > session.RenewGrace {
		t.Fatalf("marker TTL = %v, want in (0, %v]", d, session.RenewGrace)
	}
	if _, err := s.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	mustMissing(t, s, id)
}

// testTakeAtomic races Take against writers: every write acknowledged
// before the take is in what it returns, and every later one fails.
func testTakeAtomic(t *testing.T, s session.Store) {
	const writers = 40
	id := newSession(t, s, nil)
	var wg sync.WaitGroup
	acked := make(chan string, writers)
	start := make(chan struct{})
	for i := range writers {
		wg.Go(func() {
			<-start
			k := fmt.Sprintf("k%02d", i)
			err := s.Save(context.WithoutCancel(t.Context()), id, session.Change{Set: map[string][]byte{k: []byte("j1")}}, rules(long))
			switch {
			case err == nil:
				acked <- k
			case !errors.Is(err, session.ErrRenewed):
				t.Errorf("Save %s = %v, want nil or ErrRenewed", k, err)
			}
		})
	}
	close(start)
	time.Sleep(time.Millisecond)
	rec, found, err := s.Take(t.Context(), id, rules(long))
	wg.Wait()
	close(acked)
	if err != nil || !found {
		t.Fatalf("Take = %v, %v", found, err)
	}
	for k := range acked {
		if _, ok := rec.Values[k]; !ok {
			t.Errorf("write %s was acknowledged but is not in the taken session", k)
		}
	}
}

func testPing(t *testing.T, s session.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testDoneContext(t *testing.T, s session.Store) {
	id := newSession(t, s, map[string][]byte{"a": []byte("j1")})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	r := rules(long)
	if _, _, err := s.Load(ctx, id); !errors.Is(err, session.ErrUnavailable) {
		t.Errorf("Load with a done context = %v, want ErrUnavailable", err)
	}
	if err := s.Create(ctx, RandomID(), session.Record{Created: r.Now, Deadline: r.Now.Add(long)}, r); err == nil {
		t.Error("Create with a done context: nil error")
	}
	for _, c := range changes {
		if err := c.do(ctx, s, id, r); !errors.Is(err, session.ErrUnavailable) {
			t.Errorf("%s with a done context = %v, want ErrUnavailable", c.name, err)
		}
	}
	if _, _, err := s.Take(ctx, id, r); err == nil {
		t.Error("Take with a done context: nil error")
	}
	if _, err := s.Delete(ctx, id); err == nil {
		t.Error("Delete with a done context: nil error")
	}
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping with a done context: nil error")
	}
	equalValues(t, peek(t, s, id).Values, map[string][]byte{"a": []byte("j1")})
}
