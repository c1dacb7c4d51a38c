package sessiontest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// TestUserStore runs the conformance suite of session.UserStore: the
// per-user index (limits under concurrency included) and remember-me
// tokens. newStore is called once per subtest; stores may share data, as
// every case uses fresh users and IDs.
func TestUserStore(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Helper()
	for _, c := range userCases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			us, ok := s.(session.UserStore)
			if !ok {
				t.Fatalf("%T does not implement session.UserStore", s)
			}
			c.run(t, s, us)
		})
	}
}

var userCases = []struct {
	name string
	run  func(t *testing.T, s session.Store, us session.UserStore)
}{
	{"index", testIndex},
	{"index drops entries past their deadline", testIndexDeadline},
	{"limit evicts the oldest sessions", testIndexEvict},
	{"limit refuses", testIndexRefuse},
	{"limit under concurrency", testIndexConcurrent},
	{"describe and revoke", testDescribeRevoke},
	{"delete returns the user", testDeleteUser},
	{"remember-me tokens", testRemember},
}

func newUser() string { return "user-" + RandomID()[:10] }

func entry(h string, d time.Duration) session.IndexEntry {
	return session.IndexEntry{Handle: h, Deadline: time.Now().Add(d)}
}

func handles(t *testing.T, us session.UserStore, user string) []string {
	t.Helper()
	entries, err := us.Indexed(t.Context(), user, time.Now())
	if err != nil {
		t.Fatalf("Indexed: %v", err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Handle)
	}
	slices.Sort(out)
	return out
}

func sortedOf(hs ...string) []string { slices.Sort(hs); return hs }

func testIndex(t *testing.T, _ session.Store, us session.UserStore) {
	ctx, user, other := t.Context(), newUser(), newUser()
	a, b, c, r := RandomID(), RandomID(), RandomID(), "r"+RandomID()
	if _, err := us.Index(ctx, user, []session.IndexEntry{entry(a, long), entry(b, long), entry(r, long)}, nil, session.Limit{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := us.Index(ctx, other, []session.IndexEntry{entry(c, long)}, nil, session.Limit{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, want := handles(t, us, user), sortedOf(a, b, r); !slices.Equal(got, want) {
		t.Fatalf("index = %q, want %q", got, want)
	}
	if _, err := us.Index(ctx, user, []session.IndexEntry{entry(c, long)}, []string{a, "never-there"}, session.Limit{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, want := handles(t, us, user), sortedOf(b, c, r); !slices.Equal(got, want) {
		t.Fatalf("after add and drop: %q, want %q", got, want)
	}
	if got := handles(t, us, "nobody"); len(got) != 0 {
		t.Fatalf("index of a user without sessions = %q", got)
	}
}

func testIndexDeadline(t *testing.T, _ session.Store, us session.UserStore) {
	ctx, user := t.Context(), newUser()
	a, b := RandomID(), RandomID()
	if _, err := us.Index(ctx, user, []session.IndexEntry{entry(a, 300*time.Millisecond), entry(b, long)}, nil, session.Limit{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Second)
	entries, err := us.Indexed(ctx, user, later)
	if err != nil || len(entries) != 1 || entries[0].Handle != b {
		t.Fatalf("Indexed a second later = %v, %v; want only %s", entries, err, b)
	}
	if _, err := us.Index(ctx, user, nil, []string{b}, session.Limit{}, time.Now()); err != nil {
		t.Fatal(err)
	}
	time.Sleep(400 * time.Millisecond)
	if got := handles(t, us, user); len(got) != 0 {
		t.Fatalf("index after its last deadline = %q, want nothing", got)
	}
}

func testIndexEvict(t *testing.T, _ session.Store, us session.UserStore) {
	ctx, user := t.Context(), newUser()
	oldest, middle, r := RandomID(), RandomID(), "r"+RandomID()
	limit := session.Limit{Max: 2}
	add := []session.IndexEntry{entry(oldest, time.Hour), entry(middle, 2*time.Hour), entry(r, time.Minute)}
	if evicted, err := us.Index(ctx, user, add, nil, limit, time.Now()); err != nil || len(evicted) != 0 {
		t.Fatalf("two sessions and a remember-me token under a limit of 2: evicted %q, %v", evicted, err)
	}
	newest := RandomID()
	evicted, err := us.Index(ctx, user, []session.IndexEntry{entry(newest, 3*time.Hour)}, nil, limit, time.Now())
	if err != nil || !slices.Equal(evicted, []string{oldest}) {
		t.Fatalf("a third session: evicted %q, %v; want the oldest, %s", evicted, err, oldest)
	}
	if got, want := handles(t, us, user), sortedOf(middle, newest, r); !slices.Equal(got, want) {
		t.Fatalf("index = %q, want %q", got, want)
	}
}

func testIndexRefuse(t *testing.T, _ session.Store, us session.UserStore) {
	ctx, user := t.Context(), newUser()
	a, b := RandomID(), RandomID()
	limit := session.Limit{Max: 2, Refuse: true}
	if _, err := us.Index(ctx, user, []session.IndexEntry{entry(a, long), entry(b, long)}, nil, limit, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := RandomID()
	if _, err := us.Index(ctx, user, []session.IndexEntry{entry(c, long)}, nil, limit, time.Now()); !errors.Is(err, session.ErrTooManySessions) {
		t.Fatalf("a third session = %v, want ErrTooManySessions", err)
	}
	if got, want := handles(t, us, user), sortedOf(a, b); !slices.Equal(got, want) {
		t.Fatalf("a refused Index changed the index: %q, want %q", got, want)
	}
	if _, err := us.Index(ctx, user, []session.IndexEntry{entry(c, long)}, []string{a}, limit, time.Now()); err != nil {
		t.Fatalf("replacing a session (a renewal): %v", err)
	}
	if _, err := us.Index(ctx, user, []session.IndexEntry{entry(b, long), entry("r"+RandomID(), long)}, nil, limit, time.Now()); err != nil {
		t.Fatalf("an entry already there, and a remember-me token: %v", err)
	}
}

// testIndexConcurrent: 20 logins at once under a limit of 3 leave 3
// sessions indexed, and every other one evicted exactly once.
func testIndexConcurrent(t *testing.T, _ session.Store, us session.UserStore) {
	const n, max = 20, 3
	user := newUser()
	var mu sync.Mutex
	var evicted []string
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		ids[i] = RandomID()
		wg.Go(func() {
			ev, err := us.Index(t.Context(), user, []session.IndexEntry{entry(ids[i], time.Duration(i+1)*time.Minute)}, nil, session.Limit{Max: max}, time.Now())
			if err != nil {
				t.Errorf("Index: %v", err)
			}
			mu.Lock()
			evicted = append(evicted, ev...)
			mu.Unlock()
		})
	}
	wg.Wait()
	kept := handles(t, us, user)
	if len(kept) != max || len(evicted) != n-max {
		t.Fatalf("%d kept, %d evicted; want %d and %d", len(kept), len(evicted), max, n-max)
	}
	all := append(kept, evicted...)
	slices.Sort(all)
	if !slices.Equal(all, sortedOf(ids...)) {
		t.Fatalf("kept and evicted are not the sessions added, each once")
	}
}

func testDescribeRevoke(t *testing.T, s session.Store, us session.UserStore) {
	ctx, user := t.Context(), newUser()
	now := time.Now()
	id := RandomID()
	r := session.Rules{Now: now, Idle: long, Absolute: 2 * long}
	err := s.Create(ctx, id, session.Record{Created: now, Deadline: now.Add(long), User: user, Label: "Firefox", Restored: true}, r)
	if err != nil {
		t.Fatal(err)
	}
	rid := RandomID()
	rec := session.RememberRecord{Validator: "v", User: user, Label: "Safari", Created: now, Expires: now.Add(2 * long)}
	if err := us.SaveRemember(ctx, rid, rec); err != nil {
		t.Fatal(err)
	}
	gone := RandomID()
	devices, err := us.Describe(ctx, []string{id, "r" + rid, gone})
	if err != nil || len(devices) != 3 {
		t.Fatalf("Describe = %v, %v", devices, err)
	}
	d, rd, g := devices[0], devices[1], devices[2]
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	if !d.Found || d.Remembered || d.User != user || d.Label != "Firefox" || !d.Restored ||
		ms(d.Created) != ms(now) || ms(d.Expires) != ms(now.Add(long)) || ms(d.LastActive) != ms(now) {
		t.Errorf("session: %+v", d)
	}
	if !rd.Found || !rd.Remembered || rd.User != user || rd.Label != "Safari" || ms(rd.Expires) != ms(now.Add(2*long)) {
		t.Errorf("remember-me token: %+v", rd)
	}
	if g.Found || g.Handle != gone {
		t.Errorf("a handle that is gone: %+v", g)
	}
	if err := us.Revoke(ctx, []string{id, "r" + rid, gone}); err != nil {
		t.Fatal(err)
	}
	devices, err = us.Describe(ctx, []string{id, "r" + rid})
	if err != nil || devices[0].Found || devices[1].Found {
		t.Fatalf("after Revoke: %+v, %v", devices, err)
	}
	mustMissing(t, s, id)
}

func testDeleteUser(t *testing.T, s session.Store, _ session.UserStore) {
	now := time.Now()
	id := RandomID()
	if err := s.Create(t.Context(), id, session.Record{Created: now, Deadline: now.Add(long), User: "alice"}, rules(long)); err != nil {
		t.Fatal(err)
	}
	if user, err := s.Delete(t.Context(), id); err != nil || user != "alice" {
		t.Fatalf("Delete = %q, %v; want alice", user, err)
	}
	if user, err := s.Delete(t.Context(), id); err != nil || user != "" {
		t.Fatalf("Delete of a missing session = %q, %v", user, err)
	}
}

func testRemember(t *testing.T, _ session.Store, us session.UserStore) {
	ctx, user := t.Context(), newUser()
	now := time.Now()
	id := RandomID()
	rec := session.RememberRecord{Validator: "v1", User: user, Label: "l", Created: now, Expires: now.Add(long)}
	if err := us.SaveRemember(ctx, id, rec); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		validator, next string
		at              time.Duration
		want            session.RememberOutcome
	}{
		{"v1", "v2", 0, session.RememberOK},
		{"v1", "v3", time.Second, session.RememberRecent}, // the browser's other request
		{"v2", "v4", 2 * time.Second, session.RememberOK},
		{"v1", "v5", 3 * time.Second, session.RememberStolen}, // v1 rotated twice: a copy
		{"v2", "v6", session.RememberGrace + 3*time.Second, session.RememberStolen},
		{"v4", "v7", session.RememberGrace + 4*time.Second, session.RememberOK},
		{"v7", "v8", long + time.Second, session.RememberNotFound}, // expired
	}
	for i, st := range steps {
		got, outcome, err := us.UseRemember(ctx, id, st.validator, st.next, now.Add(st.at))
		if err != nil || outcome != st.want {
			t.Fatalf("step %d (%s): outcome %v, %v; want %v", i, st.validator, outcome, err, st.want)
		}
		if st.want != session.RememberNotFound && (got.User != user || got.Label != "l" || got.Expires.UnixMilli() != rec.Expires.UnixMilli()) {
			t.Fatalf("step %d: record %+v", i, got)
		}
	}
	if _, outcome, err := us.UseRemember(ctx, RandomID(), "v", "w", now); err != nil || outcome != session.RememberNotFound {
		t.Fatalf("an unknown token: %v, %v", outcome, err)
	}
	if err := us.Revoke(ctx, []string{"r" + id}); err != nil {
		t.Fatal(err)
	}
	if _, outcome, _ := us.UseRemember(ctx, id, "v7", "v9", now); outcome != session.RememberNotFound {
		t.Fatalf("a revoked token: %v", outcome)
	}
}
