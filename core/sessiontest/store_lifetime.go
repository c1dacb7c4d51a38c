package sessiontest

import (
	"errors"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// lifetimeCases pin down a session's own lifetime (session.Lifetime): the
// store keeps it and applies it through Rules.For, within the ceilings.
var lifetimeCases = []storeCase{
	{"own lifetime kept and applied", testOwnLifetime},
	{"own lifetime capped by the ceilings", testOwnLifetimeCeiling},
	{"save sets and clears the lifetime", testSaveLifetime},
	{"own absolute timeout", testOwnAbsolute},
	{"own short idle shortens the touch interval", testOwnTouchInterval},
	{"own idle expiry", testOwnIdleExpiry},
}

// ceilings returns rules(idleTimeout) with the ceilings of own lifetimes.
func ceilings(idleTimeout, maxIdle, maxAbsolute time.Duration) session.Rules {
	r := rules(idleTimeout)
	r.MaxIdle, r.MaxAbsolute = maxIdle, maxAbsolute
	return r
}

// createOwn stores a new session with its own lifetime, or stops the test.
func createOwn(t *testing.T, s session.Store, id string, created time.Time, life session.Lifetime, r session.Rules) {
	t.Helper()
	r.Now = created
	deadline := created.Add(r.For(life).Absolute)
	if err := s.Create(t.Context(), id, session.Record{Created: created, Deadline: deadline, Lifetime: life}, r); err != nil {
		t.Fatalf("Create: %v", err)
	}
}

func testOwnLifetime(t *testing.T, s session.Store) {
	id := RandomID()
	life := session.Lifetime{Idle: 3 * long, Absolute: 240 * long}
	r := ceilings(long, 4*long, 480*long)
	createOwn(t, s, id, time.Now(), life, r)
	if d := ttl(t, s, id); d <= 2*long || d > 3*long {
		t.Fatalf("TTL = %v, want in (%v, %v]: the session's own idle timeout", d, 2*long, 3*long)
	}
	if got := peek(t, s, id).Lifetime; got != life {
		t.Fatalf("Lifetime = %+v, want %+v", got, life)
	}
	// Every change and Touch grant the session's own idle timeout.
	for _, c := range changes {
		if err := c.do(t.Context(), s, id, r); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if d := ttl(t, s, id); d <= 2*long || d > 3*long {
			t.Fatalf("TTL after %s = %v, want in (%v, %v]", c.name, d, 2*long, 3*long)
		}
	}
	if err := s.Touch(t.Context(), id, r); err != nil {
		t.Fatal(err)
	}
	if d := ttl(t, s, id); d <= 2*long || d > 3*long {
		t.Fatalf("TTL after Touch = %v, want in (%v, %v]", d, 2*long, 3*long)
	}
	// Take hands the lifetime on, for the renewed session.
	rec, found, err := s.Take(t.Context(), id, r)
	if err != nil || !found || rec.Lifetime != life {
		t.Fatalf("Take = %+v, %v, %v; want the lifetime %+v", rec.Lifetime, found, err, life)
	}
}

// testOwnLifetimeCeiling checks that the ceilings cap a stored lifetime:
// lowering them shortens sessions that asked for more.
func testOwnLifetimeCeiling(t *testing.T, s session.Store) {
	id := RandomID()
	created := time.Now()
	createOwn(t, s, id, created, session.Lifetime{Idle: 3 * long}, ceilings(long, 2*long, 0))
	if d := ttl(t, s, id); d <= long || d > 2*long {
		t.Fatalf("TTL = %v, want in (%v, %v]: the idle ceiling", d, long, 2*long)
	}
	if err := s.Touch(t.Context(), id, ceilings(long, 0, 0)); err != nil { // ceiling lowered to the Manager's
		t.Fatal(err)
	}
	if d := ttl(t, s, id); d <= 0 || d > long {
		t.Fatalf("TTL after the ceiling fell = %v, want at most %v", d, long)
	}

	// A stored absolute timeout of 10 h, created 2 h ago, under a ceiling
	// lowered to 1 h: gone.
	id = RandomID()
	created = time.Now().Add(-2 * long)
	createOwn(t, s, id, created, session.Lifetime{Absolute: 10 * long}, ceilings(long, 0, 10*long))
	low := ceilings(long, 0, 0)
	low.Absolute = long
	for _, c := range changes[:1] {
		if err := c.do(t.Context(), s, id, low); !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("%s past created + the lowered ceiling = %v, want ErrNotFound", c.name, err)
		}
	}
}

func testSaveLifetime(t *testing.T, s session.Store) {
	id := RandomID()
	created := time.Now()
	create(t, s, id, created, created.Add(long), long, map[string][]byte{"a": []byte("j1")})
	r := ceilings(long, 3*long, 48*long)
	r.TouchInterval = 24 * long // the new lifetime applies at once, touch due or not
	life := session.Lifetime{Idle: 3 * long, Absolute: 48 * long}
	if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"b": []byte("j2")}, Lifetime: &life}, r); err != nil {
		t.Fatalf("Save: %v", err)
	}
	rec := peek(t, s, id)
	if rec.Lifetime != life {
		t.Fatalf("Lifetime = %+v, want %+v", rec.Lifetime, life)
	}
	if got, want := rec.Deadline.UnixMilli(), created.Add(48*long).UnixMilli(); got != want {
		t.Fatalf("Deadline = %d, want created + own absolute = %d", got, want)
	}
	equalValues(t, rec.Values, map[string][]byte{"a": []byte("j1"), "b": []byte("j2")})
	if d := ttl(t, s, id); d <= 2*long || d > 3*long {
		t.Fatalf("TTL = %v, want in (%v, %v]", d, 2*long, 3*long)
	}

	// Beyond the ceilings: capped, the stored deadline too.
	big := session.Lifetime{Idle: 10 * long, Absolute: 100 * long}
	if err := s.Save(t.Context(), id, session.Change{Lifetime: &big}, r); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if got, want := peek(t, s, id).Deadline.UnixMilli(), created.Add(48*long).UnixMilli(); got != want {
		t.Fatalf("Deadline = %d, want created + the ceiling = %d", got, want)
	}
	if d := ttl(t, s, id); d <= 2*long || d > 3*long {
		t.Fatalf("TTL = %v, want in (%v, %v]: the idle ceiling", d, 2*long, 3*long)
	}

	// Zero: back to the Manager's timeouts.
	if err := s.Save(t.Context(), id, session.Change{Lifetime: &session.Lifetime{}}, r); err != nil {
		t.Fatalf("Save: %v", err)
	}
	rec = peek(t, s, id)
	if rec.Lifetime != (session.Lifetime{}) {
		t.Fatalf("Lifetime = %+v, want none", rec.Lifetime)
	}
	if got, want := rec.Deadline.UnixMilli(), created.Add(r.Absolute).UnixMilli(); got != want {
		t.Fatalf("Deadline = %d, want created + the Manager's absolute = %d", got, want)
	}
	if d := ttl(t, s, id); d <= 0 || d > long {
		t.Fatalf("TTL = %v, want at most the Manager's idle %v", d, long)
	}
	equalValues(t, rec.Values, map[string][]byte{"a": []byte("j1"), "b": []byte("j2")})
}

// testOwnAbsolute checks that a session's own absolute timeout, not the
// Manager's, bounds it, for changes judged on the engine's clock.
func testOwnAbsolute(t *testing.T, s session.Store) {
	created := time.Now().Add(-2 * long)
	r := ceilings(long, 0, 3*long)
	r.Absolute = long // the Manager's: passed
	id := RandomID()
	createOwn(t, s, id, created, session.Lifetime{Absolute: 3 * long}, r)
	for _, c := range changes {
		if err := c.do(t.Context(), s, id, r); err != nil {
			t.Fatalf("%s within the own absolute timeout: %v", c.name, err)
		}
	}
	if d := ttl(t, s, id); d <= 0 || d > long {
		t.Fatalf("TTL = %v, want at most the %v left", d, long)
	}
	late := r
	late.Now = created.Add(3*long + time.Second)
	if err := changes[0].do(t.Context(), s, id, late); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Save past the own absolute timeout = %v, want ErrNotFound", err)
	}
	mustMissing(t, s, id)

	// A lifetime set on a session past the Manager's absolute timeout
	// does not bring it back.
	id = RandomID()
	create(t, s, id, created, created.Add(long), long, nil)
	life := session.Lifetime{Absolute: 3 * long}
	if err := s.Save(t.Context(), id, session.Change{Lifetime: &life}, r); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("lifetime on an expired session = %v, want ErrNotFound", err)
	}
}

// testOwnTouchInterval checks that a shorter own idle timeout shortens the
// touch interval in proportion (Rules.For), so a read touches in time.
func testOwnTouchInterval(t *testing.T, s session.Store) {
	id := RandomID()
	now := time.Now()
	r := ceilings(long, 0, 0)
	r.TouchInterval = 30 * time.Minute // of a 1 h idle timeout: 30 s of a 1 min one
	createOwn(t, s, id, now, session.Lifetime{Idle: time.Minute}, r)
	r.Now = now.Add(20 * time.Second)
	if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"a": []byte("j1")}}, r); err != nil {
		t.Fatal(err)
	}
	if got := peek(t, s, id).Touched.UnixMilli(); got != now.UnixMilli() {
		t.Fatalf("touched after 20 s of a 30 s interval")
	}
	r.Now = now.Add(31 * time.Second)
	if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"a": []byte("j2")}}, r); err != nil {
		t.Fatal(err)
	}
	if got := peek(t, s, id).Touched.UnixMilli(); got != r.Now.UnixMilli() {
		t.Fatalf("not touched after 31 s of a 30 s interval")
	}
	if d := ttl(t, s, id); d <= 0 || d > time.Minute {
		t.Fatalf("TTL = %v, want at most the own idle timeout %v", d, time.Minute)
	}
}

// testOwnIdleExpiry waits out a short own idle timeout under a long
// Manager one.
func testOwnIdleExpiry(t *testing.T, s session.Store) {
	id := RandomID()
	createOwn(t, s, id, time.Now(), session.Lifetime{Idle: idle}, ceilings(long, 0, 0))
	peek(t, s, id)
	time.Sleep(idle + idle/2)
	mustMissing(t, s, id)
	wantNotFound(t, s, id)
}
