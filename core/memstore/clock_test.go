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

func (e *env) rules(idle, interval time.Duration) session.Rules {
	return session.Rules{Now: e.now(), Idle: idle, Absolute: 1000 * time.Hour, TouchInterval: interval}
}

func (e *env) create(id string, idle, absolute time.Duration) {
	e.t.Helper()
	now := e.now()
	rec := session.Record{Created: now, Deadline: now.Add(absolute), Values: map[string][]byte{"a": []byte("j1")}}
	if err := e.store.Create(e.t.Context(), id, rec, e.rules(idle, 0)); err != nil {
		e.t.Fatalf("create: %v", err)
	}
}

func (e *env) load(id string) (session.Record, bool) {
	e.t.Helper()
	rec, found, err := e.store.Load(e.t.Context(), id)
	if err != nil {
		e.t.Fatalf("Load: %v", err)
	}
	return rec, found
}

// wantTTL checks id is there with exactly ttl left.
func (e *env) wantTTL(id string, ttl time.Duration) {
	e.t.Helper()
	if _, found := e.load(id); !found {
		e.t.Fatalf("at +%v: session not found, want TTL %v", e.elapsed(), ttl)
	}
	if got, _ := e.store.TTL(e.t.Context(), id); got != ttl {
		e.t.Fatalf("at +%v: TTL = %v, want %v", e.elapsed(), got, ttl)
	}
}

func (e *env) wantGone(id string) {
	e.t.Helper()
	if _, found := e.load(id); found {
		e.t.Fatalf("at +%v: session found, want it gone", e.elapsed())
	}
}

func (e *env) elapsed() time.Duration { return e.clock.Now().Sub(newFakeClock().now) }

func (e *env) save(id string, idle, interval time.Duration) error {
	return e.store.Save(e.t.Context(), id, session.Change{Set: map[string][]byte{"b": []byte("j2")}}, e.rules(idle, interval))
}

func TestFakeClock(t *testing.T) {
	const (
		idle     = 30 * time.Minute
		interval = 5 * time.Minute
		absolute = 12 * time.Hour
	)
	cases := []struct {
		name string
		run  func(e *env, id string)
	}{
		{"idle expiry is exact", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.clock.Advance(idle - time.Millisecond)
			e.wantTTL(id, time.Millisecond)
			e.clock.Advance(time.Millisecond)
			e.wantGone(id)
			if err := e.save(id, idle, 0); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("Save after expiry = %v, want ErrNotFound", err)
			}
		}},
		{"writes touch only after the interval", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.clock.Advance(interval - time.Millisecond)
			if err := e.save(id, idle, interval); err != nil {
				t.Fatal(err)
			}
			e.wantTTL(id, idle-interval+time.Millisecond) // not yet the interval: no touch
			e.clock.Advance(time.Millisecond)
			if err := e.save(id, idle, interval); err != nil {
				t.Fatal(err)
			}
			e.wantTTL(id, idle) // the interval used: touch
			e.clock.Advance(idle - time.Millisecond)
			e.wantTTL(id, time.Millisecond) // lives past the first write's expiry
			e.clock.Advance(time.Millisecond)
			e.wantGone(id)
		}},
		{"loads never touch", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.clock.Advance(20 * time.Minute)
			e.load(id)
			e.wantTTL(id, 10*time.Minute)
		}},
		{"touch resets the idle lifetime", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.clock.Advance(20 * time.Minute)
			if err := e.store.Touch(t.Context(), id, e.rules(idle, interval)); err != nil {
				t.Fatal(err)
			}
			e.clock.Advance(20 * time.Minute)
			e.wantTTL(id, 10*time.Minute)
			if rec, _ := e.load(id); !rec.Touched.Equal(newFakeClock().now.Add(20 * time.Minute)) {
				t.Fatalf("Touched = %v", rec.Touched)
			}
		}},
		{"deadline caps the lifetime", func(e *env, id string) {
			e.create(id, idle, 40*time.Minute)
			e.clock.Advance(20 * time.Minute)
			if err := e.save(id, idle, 0); err != nil {
				t.Fatal(err)
			}
			e.wantTTL(id, 20*time.Minute) // touched up to the deadline, not idle
			e.clock.Advance(19 * time.Minute)
			if err := e.save(id, idle, 0); err != nil {
				t.Fatal(err)
			}
			e.wantTTL(id, time.Minute)
			e.clock.Advance(time.Minute)
			e.wantGone(id)
		}},
		{"save at the deadline removes the session", func(e *env, id string) {
			e.create(id, idle, absolute)
			e.skew = absolute // only the engine's clock reaches the deadline
			if err := e.save(id, idle, 0); !errors.Is(err, session.ErrNotFound) {
				t.Fatalf("Save = %v, want ErrNotFound", err)
			}
			if n := e.store.Len(); n != 0 {
				t.Fatalf("Len = %d, want 0", n)
			}
		}},
		{"lifetime from the engine clock, expiry on the store clock", func(e *env, id string) {
			e.skew = time.Hour
			e.create(id, 3*time.Hour, 2*time.Hour) // deadline - engine now = 2h
			e.wantTTL(id, 2*time.Hour)
			e.clock.Advance(2*time.Hour - time.Millisecond)
			e.wantTTL(id, time.Millisecond)
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
		{"created and deadline keep milliseconds", func(e *env, id string) {
			e.clock.Advance(1500 * time.Microsecond)
			e.create(id, idle, absolute)
			rec, _ := e.load(id)
			start := newFakeClock().now
			if want := start.Add(time.Millisecond); !rec.Created.Equal(want) {
				t.Fatalf("Created = %v, want %v", rec.Created, want)
			}
			if want := start.Add(absolute + time.Millisecond); !rec.Deadline.Equal(want) {
				t.Fatalf("Deadline = %v, want %v", rec.Deadline, want)
			}
		}},
		{"a renewal marker expires after the grace", func(e *env, id string) {
			e.create(id, idle, absolute)
			if _, found, err := e.store.Take(t.Context(), id, e.rules(idle, 0)); !found || err != nil {
				t.Fatalf("Take = %v, %v", found, err)
			}
			e.clock.Advance(session.RenewGrace - time.Millisecond)
			if _, _, err := e.store.Load(t.Context(), id); !errors.Is(err, session.ErrRenewed) {
				t.Fatalf("Load within the grace = %v, want ErrRenewed", err)
			}
			e.clock.Advance(time.Millisecond)
			e.wantGone(id)
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
		name  string
		ch    session.Change
		rules func(*session.Rules)
		want  error
	}{
		{"set @user", session.Change{Set: map[string][]byte{"@user": []byte(`j"alice"`)}}, nil, nil},
		{"idle under 1ms", session.Change{}, func(r *session.Rules) { r.Idle = time.Microsecond }, session.ErrInvalidOption},
		{"absolute 0", session.Change{}, func(r *session.Rules) { r.Absolute = 0 }, session.ErrInvalidOption},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			id := sessiontest.RandomID()
			e.create(id, time.Hour, time.Hour)
			r := e.rules(time.Hour, 0)
			if c.rules != nil {
				c.rules(&r)
			}
			if err := e.store.Save(t.Context(), id, c.ch, r); !errors.Is(err, c.want) {
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
	r := session.Rules{Now: now, Idle: time.Minute, Absolute: time.Hour}
	err := st.Create(t.Context(), id, session.Record{Created: now, Deadline: now.Add(time.Hour)}, r)
	if err == nil {
		err = st.Save(t.Context(), id, session.Change{Set: map[string][]byte{name: []byte("jA1")}}, r)
	}
	if err != nil {
		t.Fatal(err)
	}
	copy(buf, "xxxx") // the framework reuses its buffer
	rec, _, err := st.Load(t.Context(), id)
	if err != nil || string(rec.Values["cart"]) != "jA1" {
		t.Errorf("values after the caller's buffer changed: %q, %v", rec.Values, err)
	}
}
