package memstore_test

import (
	"errors"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a store and the engine side of one test, sharing a fake clock
// unless a case shifts the engine's clock by skew.
type env struct {
	t     *testing.T
	clock *fakeClock
	store *memstore.Store
	skew  time.Duration // engine clock minus store clock
}

func newEnv(t *testing.T) *env {
	c := newFakeClock()
	return &env{t: t, clock: c, store: memstore.New(memstore.WithClock(c.Now))}
}

func (e *env) now() time.Time { return e.clock.Now().Add(e.skew) }

func (e *env) create(id string, idle, absolute time.Duration) {
	e.t.Helper()
	now := e.now()
	err := e.store.Save(e.t.Context(), id, session.Change{
		Create: true, Now: now, Idle: idle, Created: now, Deadline: now.Add(absolute),
		Set: map[string][]byte{"a": []byte("j1")},
	})
	if err != nil {
		e.t.Fatalf("create: %v", err)
	}
}

func (e *env) load(id string, idle, interval time.Duration) (session.Record, bool) {
	e.t.Helper()
	rec, found, err := e.store.Load(e.t.Context(), id, session.Touch{Now: e.now(), Idle: idle, Interval: interval})
	if err != nil {
		e.t.Fatalf("Load: %v", err)
	}
	return rec, found
}

// wantTTL loads id and checks it is there with exactly ttl left.
func (e *env) wantTTL(id string, idle, interval, ttl time.Duration) {
	e.t.Helper()
	rec, found := e.load(id, idle, interval)
	if !found {
		e.t.Fatalf("at +%v: session not found, want TTL %v", e.elapsed(), ttl)
	}
	if rec.TTL != ttl {
		e.t.Fatalf("at +%v: TTL = %v, want %v", e.elapsed(), rec.TTL, ttl)
	}
}

func (e *env) wantGone(id string) {
	e.t.Helper()
	if _, found := e.load(id, time.Hour, time.Hour); found {
		e.t.Fatalf("at +%v: session found, want it gone", e.elapsed())
	}
}

func (e *env) elapsed() time.Duration { return e.clock.Now().Sub(newFakeClock().now) }

func (e *env) save(id string, idle time.Duration) error {
	return e.store.Save(e.t.Context(), id, session.Change{
		Now: e.now(), Idle: idle, Set: map[string][]byte{"b": []byte("j2")},
	})
}

func TestFakeClock(t *testing.T) {
	const (
		idle     = 30 * time.Minute
		interval = 5 * time.Minute
		absolute = 12 * time.Hour
		never    = 1000 * time.Hour
	)
	cases := []struct {
		name string
		run  func(e *env, id string)
	}{
		{"idle expiry is exact", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.clock.Advance(idle - time.Millisecond)
			e.wantTTL(id, idle, never, time.Millisecond)
			e.clock.Advance(time.Millisecond)
			e.wantGone(id)
			if err := e.save(id, idle); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("Save after expiry = %v, want ErrNotFound", err)
			}
		}},
		{"touch only after the interval", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.clock.Advance(interval)
			e.wantTTL(id, idle, interval, idle-interval) // used exactly the interval: no touch
			e.clock.Advance(time.Millisecond)
			e.wantTTL(id, idle, interval, idle) // used more: touch
			e.clock.Advance(idle - time.Millisecond)
			e.wantTTL(id, idle, never, time.Millisecond) // lives past the first write's expiry
			e.clock.Advance(time.Millisecond)
			e.wantGone(id)
		}},
		{"save resets the idle lifetime", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.clock.Advance(20 * time.Minute)
			if err := e.save(id, idle); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(20 * time.Minute)
			e.wantTTL(id, idle, never, 10*time.Minute)
		}},
		{"deadline caps the lifetime", func(e *env, id string) {
			e.create(id, idle, 40*time.Minute)
			e.clock.Advance(20 * time.Minute)
			e.wantTTL(id, idle, 0, 20*time.Minute) // touched up to the deadline, not idle
			e.clock.Advance(19 * time.Minute)
			if err := e.save(id, idle); err != nil {
				t.Fatal(err)
			}
			e.wantTTL(id, idle, never, time.Minute)
			e.clock.Advance(time.Minute)
			e.wantGone(id)
		}},
		{"save at the deadline removes the session", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.skew = absolute // only the engine's clock reaches the deadline
			if err := e.save(id, idle); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("Save = %v, want ErrNotFound", err)
			}
			if n := e.store.Len(); n != 0 {
				t.Fatalf("Len = %d, want 0", n)
			}
		}},
		{"lifetime from the engine clock, expiry on the store clock", func(e *env, id string) {
			e.skew = time.Hour
			e.create(id, 3*time.Hour, 2*time.Hour) // deadline - engine now = 2h
			e.wantTTL(id, 3*time.Hour, never, 2*time.Hour)
			e.clock.Advance(2*time.Hour - time.Millisecond)
			e.wantTTL(id, 3*time.Hour, never, time.Millisecond)
			e.clock.Advance(time.Millisecond)
			e.wantGone(id)
		}},
		{"create with no lifetime left stores nothing", func(e *env, id string) {
			e.create(id, idle, 0)
			e.wantGone(id)
			if n := e.store.Len(); n != 0 {
				t.Fatalf("Len = %d, want 0", n)
			}
		}},
		{"create with no lifetime left leaves the old session", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.create(id, idle, 0)
			e.wantTTL(id, idle, never, idle)
		}},
		{"created and deadline keep milliseconds", func(e *env, id string) {
			e.clock.Advance(1500 * time.Microsecond)
			e.create(id, idle, absolute)
			rec, _ := e.load(id, idle, never)
			start := newFakeClock().now
			if want := start.Add(time.Millisecond); !rec.Created.Equal(want) {
				t.Fatalf("Created = %v, want %v", rec.Created, want)
			}
			if want := start.Add(absolute + time.Millisecond); !rec.Deadline.Equal(want) {
				t.Fatalf("Deadline = %v, want %v", rec.Deadline, want)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.run(newEnv(t), sessiontest.RandomID())
		})
	}
}

func TestSweepBoundsMemory(t *testing.T) {
	e := newEnv(t)
	for range 100 {
		e.create(sessiontest.RandomID(), time.Minute, time.Hour)
	}
	e.clock.Advance(time.Minute)
	if n := e.store.Len(); n != 100 {
		t.Fatalf("Len before any sweep = %d, want 100", n)
	}
	for range 200 {
		e.create(sessiontest.RandomID(), time.Hour, time.Hour)
	}
	if n := e.store.Len(); n != 200 {
		t.Fatalf("Len = %d, want 200: the 100 expired sessions swept out", n)
	}
}

func TestRefusedChanges(t *testing.T) {
	cases := []struct {
		name string
		ch   session.Change
		want error
	}{
		{"set @c", session.Change{Set: map[string][]byte{"@c": []byte("1")}}, session.ErrInvalidKey},
		{"set @d", session.Change{Set: map[string][]byte{"@d": []byte("1")}}, session.ErrInvalidKey},
		{"delete @d", session.Change{Delete: []string{"@d"}}, session.ErrInvalidKey},
		{"set @user", session.Change{Set: map[string][]byte{"@user": []byte(`j"alice"`)}}, nil},
		{"idle under 1ms", session.Change{Idle: time.Microsecond}, session.ErrInvalidOption},
		{"create with idle 0", session.Change{Create: true}, session.ErrInvalidOption},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			id := sessiontest.RandomID()
			e.create(id, time.Hour, time.Hour)
			c.ch.Now = e.now()
			if c.ch.Idle == 0 && !c.ch.Create {
				c.ch.Idle = time.Hour
			}
			if err := e.store.Save(t.Context(), id, c.ch); !errors.Is(err, c.want) {
				t.Fatalf("Save = %v, want %v", err, c.want)
			}
		})
	}
}

// Frameworks such as Fiber hand out strings that point into a request buffer
// they reuse; the store must own the field names it keeps.
func TestFieldNamesAreCopied(t *testing.T) {
	st := memstore.New()
	id := sessiontest.RandomID()
	buf := []byte("cart")
	name := unsafe.String(&buf[0], len(buf))
	now := time.Now()
	err := st.Save(t.Context(), id, session.Change{Create: true, Now: now, Idle: time.Minute, Created: now,
		Deadline: now.Add(time.Hour), Set: map[string][]byte{name: []byte("jA1")}})
	if err != nil {
		t.Fatal(err)
	}
	copy(buf, "xxxx") // the framework reuses its buffer
	rec, _, err := st.Load(t.Context(), id, session.Touch{Now: now, Idle: time.Minute})
	if err != nil || string(rec.Values["cart"]) != "jA1" {
		t.Errorf("values after the caller's buffer changed: %q, %v", rec.Values, err)
	}
}
