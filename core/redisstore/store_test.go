package redisstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

const idle = time.Hour

// rules are Rules at now with an idle timeout of one hour, touches always
// due and no limits.
func rules(now time.Time) session.Rules {
	return session.Rules{Now: now, Idle: idle, Absolute: 24 * time.Hour}
}

// create writes a new session with an idle timeout of one hour.
func create(t *testing.T, s *redisstore.Store, id string, now, deadline time.Time, values map[string][]byte) {
	t.Helper()
	if err := s.Create(t.Context(), id, session.Record{Created: now, Deadline: deadline, Values: values}, rules(now)); err != nil {
		t.Fatalf("Create: %v", err)
	}
}

func pttl(t *testing.T, rdb redis.UniversalClient, key string) time.Duration {
	t.Helper()
	d, err := rdb.PTTL(t.Context(), key).Result()
	if err != nil {
		t.Fatalf("PTTL: %v", err)
	}
	return d
}

func exists(t *testing.T, rdb redis.UniversalClient, key string) bool {
	t.Helper()
	n, err := rdb.Exists(t.Context(), key).Result()
	if err != nil {
		t.Fatalf("EXISTS: %v", err)
	}
	return n == 1
}

func hgetall(t *testing.T, rdb redis.UniversalClient, key string) map[string]string {
	t.Helper()
	h, err := rdb.HGetAll(t.Context(), key).Result()
	if err != nil {
		t.Fatalf("HGETALL: %v", err)
	}
	return h
}

// size is what @s must hold for values.
func size(values map[string][]byte) string {
	n := 0
	for k, v := range values {
		n += session.Size(k, v)
	}
	return strconv.Itoa(n)
}

func TestLayout(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		id := newID(t, rdb)
		key := testPrefix + id
		now := time.Now()
		deadline := now.Add(12 * time.Hour)
		values := map[string][]byte{"visits": []byte("41"), "@user": []byte(`j"alice"`), "bin": {'m', 0, 0xff}}
		err := s.Create(t.Context(), id, session.Record{Created: now, Deadline: deadline, User: "alice", Values: values}, rules(now))
		if err != nil {
			t.Fatal(err)
		}
		if typ := rdb.Type(t.Context(), key).Val(); typ != "hash" {
			t.Fatalf("TYPE %s = %q, want hash", key, typ)
		}
		ms := strconv.FormatInt(now.UnixMilli(), 10)
		want := map[string]string{
			"@c": ms, "@d": strconv.FormatInt(deadline.UnixMilli(), 10), "@t": ms,
			"@s": size(values), "@n": "3", "@u": "alice",
			"visits": "41", "@user": `j"alice"`, "bin": "m\x00\xff",
		}
		if got := hgetall(t, rdb, key); !maps.Equal(got, want) {
			t.Fatalf("HGETALL = %q, want %q", got, want)
		}
		rec, found, err := s.Load(t.Context(), id)
		if err != nil || !found {
			t.Fatalf("Load = found %v, %v", found, err)
		}
		if !rec.Created.Equal(time.UnixMilli(now.UnixMilli())) || !rec.Deadline.Equal(time.UnixMilli(deadline.UnixMilli())) || rec.User != "alice" {
			t.Fatalf("Load = %+v", rec)
		}
		if !maps.EqualFunc(rec.Values, values, bytes.Equal) {
			t.Fatalf("Values = %q, want %q", rec.Values, values)
		}
	})
}

// TestRunningSize checks that @s and @n follow every kind of change
// exactly, though no script ever reads the whole hash to count them.
func TestRunningSize(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		for _, interval := range []time.Duration{0, time.Hour} { // touch due, and not
			testRunningSize(t, rdb, interval)
		}
	})
}

func testRunningSize(t *testing.T, rdb redis.UniversalClient, interval time.Duration) {
	{
		s := newStore(t, rdb)
		id := newID(t, rdb)
		key := testPrefix + id
		now := time.Now()
		values := map[string][]byte{"a": []byte("j1"), "b": []byte("j22")}
		create(t, s, id, now, now.Add(time.Hour), values)
		r := rules(now)
		r.TouchInterval = interval
		steps := []func() error{
			func() error {
				return s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"a": []byte("j11111"), "c": []byte("j3")}, Delete: []string{"b", "zz"}}, r)
			},
			func() error {
				return s.Save(t.Context(), id, session.Change{Append: map[string][][]byte{"l": {[]byte("jx")}, "c": {[]byte("jy")}}}, r)
			},
			func() error { _, err := s.Incr(t.Context(), id, "n", 999, r); return err },
			func() error { _, err := s.Incr(t.Context(), id, "n", 1, r); return err },
			func() error { _, err := s.Pop(t.Context(), id, "l", r); return err },
			func() error { _, _, err := s.Swap(t.Context(), id, "a", []byte("j11111"), []byte("j2"), r); return err },
			func() error {
				_, _, err := s.Swap(t.Context(), id, "c", hgetallBytes(t, rdb, key, "c"), nil, r)
				return err
			},
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			h := hgetall(t, rdb, key)
			vals := map[string][]byte{}
			for k, v := range h {
				if !strings.HasPrefix(k, "@") {
					vals[k] = []byte(v)
				}
			}
			if h["@s"] != size(vals) || h["@n"] != strconv.Itoa(len(vals)) {
				t.Fatalf("touch interval %v, step %d: @s %s, @n %s; the values %q make %s, %d", interval, i, h["@s"], h["@n"], vals, size(vals), len(vals))
			}
		}
	}
}

func hgetallBytes(t *testing.T, rdb redis.UniversalClient, key, field string) []byte {
	return []byte(hgetall(t, rdb, key)[field])
}

// TestLayout1 checks sessions written by sesskit 0.1 (only @c and @d, the
// user as the value "@user"): they load, and their first change counts
// them once and moves them to layout 2.
func TestLayout1(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		id := newID(t, rdb)
		key := testPrefix + id
		now := time.Now()
		err := rdb.HSet(t.Context(), key, "@c", now.UnixMilli(), "@d", now.Add(time.Hour).UnixMilli(),
			"@user", `j"alice"`, "cart", `j[1,2]`).Err()
		if err == nil {
			err = rdb.PExpire(t.Context(), key, time.Minute).Err()
		}
		if err != nil {
			t.Fatal(err)
		}
		rec, found, err := s.Load(t.Context(), id)
		if err != nil || !found || string(rec.Values["@user"]) != `j"alice"` || string(rec.Values["cart"]) != "j[1,2]" {
			t.Fatalf("Load of a layout 1 session = %+v, %v, %v", rec, found, err)
		}
		if !rec.Touched.IsZero() {
			t.Fatalf("Touched = %v, want zero (never recorded: the next change touches)", rec.Touched)
		}
		if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"x": []byte("j1")}}, rules(time.Now())); err != nil {
			t.Fatal(err)
		}
		h := hgetall(t, rdb, key)
		want := size(map[string][]byte{"@user": []byte(`j"alice"`), "cart": []byte("j[1,2]"), "x": []byte("j1")})
		if h["@s"] != want || h["@n"] != "3" || h["@t"] == "" {
			t.Fatalf("after the first change: %q; want @s %s, @n 3, @t set", h, want)
		}
		if d := pttl(t, rdb, key); d <= time.Minute {
			t.Fatalf("PTTL = %v: the first change did not touch", d)
		}
	})
}

func TestNoRawTokenInRedis(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		token, id := newToken(t)
		key := testPrefix + id
		t.Cleanup(func() { rdb.Del(context.Background(), key) })
		now := time.Now()
		create(t, s, id, now, now.Add(time.Hour), map[string][]byte{"k": []byte("jv")})

		if !exists(t, rdb, key) {
			t.Fatal("key is not prefix + id")
		}
		forEachPrimary(t, rdb, func(ctx context.Context, c *redis.Client) error {
			it := c.Scan(ctx, 0, "*"+token+"*", 1000).Iterator()
			for it.Next(ctx) {
				t.Errorf("a key contains the raw token")
			}
			return it.Err()
		})
		dump, err := rdb.Dump(t.Context(), key).Result()
		if err != nil {
			t.Fatalf("DUMP: %v", err)
		}
		if strings.Contains(key, token) || strings.Contains(dump, token) {
			t.Fatal("the key or its data contains the raw token")
		}
	})
}

// Sessions far beyond what fits in one Lua unpack() still save whole.
func TestManyFields(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		id := newID(t, rdb)
		now := time.Now()
		const n = 5000
		values := make(map[string][]byte, n)
		for i := range n {
			values[fmt.Sprintf("k%d", i)] = fmt.Appendf(nil, "j%d", i)
		}
		create(t, s, id, now, now.Add(time.Hour), values)

		ch := session.Change{Set: map[string][]byte{}}
		for i := range n / 2 {
			ch.Delete = append(ch.Delete, fmt.Sprintf("k%d", i))
			ch.Set[fmt.Sprintf("new%d", i)] = []byte("jx")
			delete(values, fmt.Sprintf("k%d", i))
			values[fmt.Sprintf("new%d", i)] = []byte("jx")
		}
		r := rules(now)
		r.MaxSize = 1 << 20
		if err := s.Save(t.Context(), id, ch, r); err != nil {
			t.Fatalf("Save: %v", err)
		}
		rec, _, err := s.Load(t.Context(), id)
		if err != nil || !maps.EqualFunc(rec.Values, values, bytes.Equal) {
			t.Fatalf("Load = %d values, %v; want %d values", len(rec.Values), err, len(values))
		}
		if _, found, err := s.Take(t.Context(), id, r); !found || err != nil {
			t.Fatalf("Take of %d values = %v, %v", n, found, err)
		}
	})
}

func TestTTL(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		now := time.Now()
		tests := []struct {
			name     string
			deadline time.Duration // from now
			interval time.Duration // touch interval of a change after the create; 0: no change
			min, max time.Duration // bounds of PTTL afterwards
		}{
			{"create", 12 * time.Hour, -1, 0, idle},
			{"create capped by deadline", 10 * time.Second, -1, 0, 10 * time.Second},
			{"due change extends", 12 * time.Hour, 0, 5 * time.Second, idle},
			{"due change capped by deadline", 10 * time.Second, 0, 5 * time.Second, 10 * time.Second},
			{"change within the interval does not", 12 * time.Hour, time.Hour, 0, 5 * time.Second},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := newID(t, rdb)
				key := testPrefix + id
				create(t, s, id, now, now.Add(tt.deadline), nil)
				if tt.interval >= 0 {
					rdb.PExpire(t.Context(), key, 5*time.Second) // age the session
					r := rules(time.Now())
					r.TouchInterval = tt.interval
					if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"k": []byte("jv")}}, r); err != nil {
						t.Fatalf("Save: %v", err)
					}
				}
				if d := pttl(t, rdb, key); d <= tt.min || d > tt.max {
					t.Fatalf("PTTL = %v, want in (%v, %v]", d, tt.min, tt.max)
				}
			})
		}
	})
}

// TestLoadsNeverWrite checks with keyspace notifications that loads write
// nothing, and that writes touch only when due.
func TestLoadsNeverWrite(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		id := newID(t, rdb)
		key := testPrefix + id
		now := time.Now()
		create(t, s, id, now, now.Add(12*time.Hour), map[string][]byte{"k": []byte("jv")})
		events := keyEvents(t, rdb, key)
		for range 5 {
			if _, found, err := s.Load(t.Context(), id); err != nil || !found {
				t.Fatalf("Load = found %v, %v", found, err)
			}
		}
		// A change within the touch interval: its events come right after
		// any the loads made.
		r := rules(time.Now())
		r.TouchInterval = time.Hour
		if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"k": []byte("jw")}}, r); err != nil {
			t.Fatal(err)
		}
		if got := nextEvents(t, events, 1); got[0] != "hset" {
			t.Fatalf("keyspace events = %q, want [hset] (the loads wrote)", got)
		}
		if err := s.Touch(t.Context(), id, r); err != nil {
			t.Fatal(err)
		}
		if got := nextEvents(t, events, 2); got[0] != "hset" || got[1] != "expire" {
			t.Fatalf("keyspace events = %q, want [hset expire] (touch)", got)
		}
		r.TouchInterval = 0
		if err := s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"k": []byte("jx")}}, r); err != nil {
			t.Fatal(err)
		}
		if got := nextEvents(t, events, 2); got[0] != "hset" || got[1] != "expire" {
			t.Fatalf("keyspace events = %q, want [hset expire] (a due change)", got)
		}
	})
}

func TestConcurrentSavesAllSurvive(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		id := newID(t, rdb)
		now := time.Now()
		create(t, s, id, now, now.Add(time.Hour), map[string][]byte{"base": []byte("j0")})

		const n = 50
		var wg sync.WaitGroup
		errs := make(chan error, n)
		r := rules(now)
		r.MaxSize = 1 << 20
		for i := range n {
			wg.Go(func() {
				errs <- s.Save(t.Context(), id, session.Change{Set: map[string][]byte{fmt.Sprintf("k%02d", i): fmt.Appendf(nil, "j%d", i)}}, r)
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("Save: %v", err)
			}
		}
		rec, found, err := s.Load(t.Context(), id)
		if err != nil || !found {
			t.Fatalf("Load = found %v, %v", found, err)
		}
		if len(rec.Values) != n+1 {
			t.Fatalf("%d values survived, want %d", len(rec.Values), n+1)
		}
		for i := range n {
			if got, want := string(rec.Values[fmt.Sprintf("k%02d", i)]), fmt.Sprintf("j%d", i); got != want {
				t.Errorf("k%02d = %q, want %q", i, got, want)
			}
		}
		if h := hgetall(t, rdb, testPrefix+id); h["@n"] != strconv.Itoa(n+1) {
			t.Fatalf("@n = %s after concurrent saves, want %d", h["@n"], n+1)
		}
	})
}

// TestRefusedChangesWriteNothing: a change refused for its size leaves the
// hash and its TTL as they were.
func TestRefusedChangesWriteNothing(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		now := time.Now()
		three := map[string][]byte{"k1": []byte("j1234567"), "k2": []byte("j1234567"), "k3": []byte("j1234567")}
		r := rules(now)
		r.MaxSize = 3 * session.Size("k1", three["k1"])
		refused := []session.Change{
			{Set: map[string][]byte{"k4": []byte("j")}},
			{Set: map[string][]byte{"k1": []byte("j12345678")}},
			{Delete: []string{"k9"}, Set: map[string][]byte{"k4": []byte("j1234567")}},
			{Append: map[string][][]byte{"k1": {[]byte("j")}}},
		}
		for i, ch := range refused {
			id := newID(t, rdb)
			key := testPrefix + id
			create(t, s, id, now, now.Add(time.Hour), three)
			rdb.PExpire(t.Context(), key, 5*time.Second)
			before := hgetall(t, rdb, key)
			if err := s.Save(t.Context(), id, ch, r); !errors.Is(err, session.ErrTooLarge) {
				t.Fatalf("change %d: Save = %v, want ErrTooLarge", i, err)
			}
			if after := hgetall(t, rdb, key); !maps.Equal(after, before) {
				t.Fatalf("change %d: a refused Save changed the hash: %q -> %q", i, before, after)
			}
			if d := pttl(t, rdb, key); d > 5*time.Second {
				t.Fatalf("change %d: a refused Save extended the TTL to %v", i, d)
			}
		}
	})
}

func TestCorrupt(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		now := time.Now()
		ms := strconv.FormatInt(now.UnixMilli(), 10)
		later := strconv.FormatInt(now.Add(time.Hour).UnixMilli(), 10)
		tests := []struct {
			name  string
			write func(ctx context.Context, key string) error
			load  bool // Load returns it as found: only the engine can tell
		}{
			{"string key", func(ctx context.Context, key string) error { return rdb.Set(ctx, key, "x", time.Minute).Err() }, false},
			{"list key", func(ctx context.Context, key string) error { return rdb.RPush(ctx, key, "x").Err() }, false},
			{"values only", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "k", "jv").Err() }, false},
			{"no deadline", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "@c", ms, "k", "jv").Err() }, false},
			{"no created", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "@d", later).Err() }, false},
			{"garbage created", func(ctx context.Context, key string) error {
				return rdb.HSet(ctx, key, "@c", "yesterday", "@d", later).Err()
			}, false},
			{"garbage deadline", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "@c", ms, "@d", "1e13").Err() }, false},
			{"signed deadline", func(ctx context.Context, key string) error {
				return rdb.HSet(ctx, key, "@c", ms, "@d", "+"+later).Err()
			}, false},
			{"empty created", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "@c", "", "@d", later).Err() }, false},
			{"created after deadline", func(ctx context.Context, key string) error {
				return rdb.HSet(ctx, key, "@c", later, "@d", ms).Err()
			}, true},
			{"created in the future", func(ctx context.Context, key string) error {
				return rdb.HSet(ctx, key, "@c", strconv.FormatInt(now.Add(time.Hour).UnixMilli(), 10), "@d", strconv.FormatInt(now.Add(2*time.Hour).UnixMilli(), 10)).Err()
			}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := newID(t, rdb)
				key := testPrefix + id
				if err := tt.write(t.Context(), key); err != nil {
					t.Fatal(err)
				}
				dump := rdb.Dump(t.Context(), key).Val()
				rec, found, err := s.Load(t.Context(), id)
				if !tt.load && (!errors.Is(err, session.ErrCorrupt) || found || rec.Values != nil) {
					t.Fatalf("Load = %v, %v, %v; want ErrCorrupt and nothing", rec, found, err)
				}
				for _, op := range []func() error{
					func() error {
						return s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"k": []byte("jw")}}, rules(now))
					},
					func() error { _, err := s.Incr(t.Context(), id, "n", 1, rules(now)); return err },
				} {
					err := op()
					if !errors.Is(err, session.ErrCorrupt) {
						t.Fatalf("change = %v, want ErrCorrupt", err)
					}
					if strings.Contains(err.Error(), id) {
						t.Fatalf("error %q contains the id", err)
					}
				}
				if rdb.Dump(t.Context(), key).Val() != dump {
					t.Fatal("corrupt data was changed")
				}
			})
		}
	})
}

// TestRoundTrips checks that every Store call is one round trip (a command
// or a MULTI/EXEC pipeline), each with a deadline.
func TestRoundTrips(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		var c counter
		rdb.AddHook(&c)
		s := newStore(t, rdb)
		id := newID(t, rdb)
		now := time.Now()
		r := rules(now)
		r.MaxSize = 4096
		// Warm the script cache so that counts do not include EVAL after NOSCRIPT.
		create(t, s, id, now, now.Add(time.Hour), nil)
		warm := []func(ctx context.Context) error{
			func(ctx context.Context) error { return s.Save(ctx, id, session.Change{}, r) },
			func(ctx context.Context) error { _, err := s.Incr(ctx, id, "w", 1, r); return err },
			func(ctx context.Context) error { _, err := s.Pop(ctx, id, "w", r); return err },
			func(ctx context.Context) error { _, _, err := s.Swap(ctx, id, "w", nil, nil, r); return err },
			func(ctx context.Context) error { return s.Touch(ctx, id, r) },
			func(ctx context.Context) error { _, _, err := s.Take(ctx, newID(t, rdb), r); return err },
		}
		for _, w := range warm {
			if err := w(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		ops := []struct {
			name string
			do   func(ctx context.Context) error
		}{
			{"create", func(ctx context.Context) error {
				return s.Create(ctx, id, session.Record{Created: now, Deadline: now.Add(time.Hour), Values: map[string][]byte{"a": []byte("j1")}}, r)
			}},
			{"load", func(ctx context.Context) error { _, _, err := s.Load(ctx, id); return err }},
			{"save", func(ctx context.Context) error {
				return s.Save(ctx, id, session.Change{Set: map[string][]byte{"b": []byte("j2")}, Delete: []string{"a"}}, r)
			}},
			{"incr", func(ctx context.Context) error { _, err := s.Incr(ctx, id, "n", 1, r); return err }},
			{"pop", func(ctx context.Context) error { _, err := s.Pop(ctx, id, "b", r); return err }},
			{"swap", func(ctx context.Context) error { _, _, err := s.Swap(ctx, id, "c", nil, []byte("j3"), r); return err }},
			{"touch", func(ctx context.Context) error { return s.Touch(ctx, id, r) }},
			{"take", func(ctx context.Context) error { _, _, err := s.Take(ctx, id, r); return err }},
			{"delete", func(ctx context.Context) error { _, err := s.Delete(ctx, id); return err }},
		}
		for _, op := range ops {
			before := c.commands.Load()
			if err := op.do(t.Context()); err != nil {
				t.Fatalf("%s: %v", op.name, err)
			}
			if n := c.commands.Load() - before; n != 1 {
				t.Errorf("%s made %d round trips, want 1", op.name, n)
			}
		}
		if n := c.noDeadline.Load(); n != 0 {
			t.Errorf("%d commands without a deadline", n)
		}
	})
}

// TestWait checks that every write, deletes and renewals included, waits
// for a replica with WithWait, so a logout cannot come undone in a
// failover, and that refused writes do not wait.
func TestWait(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb, redisstore.WithWait(1, 200*time.Millisecond))
		id := newID(t, rdb)
		key := testPrefix + id
		info := primaryFor(t, rdb, key).Info(t.Context(), "replication").Val()
		hasReplica := !strings.Contains(info, "connected_slaves:0")
		check := func(what string, err error) {
			t.Helper()
			if hasReplica && err != nil {
				t.Fatalf("%s with a replica = %v", what, err)
			}
			if !hasReplica && !errors.Is(err, session.ErrUnavailable) {
				t.Fatalf("%s without replicas = %v, want ErrUnavailable", what, err)
			}
		}
		now := time.Now()
		r := rules(now)
		check("Create", s.Create(t.Context(), id, session.Record{Created: now, Deadline: now.Add(time.Hour)}, r))
		if !exists(t, rdb, key) {
			t.Fatal("the write is not on the primary")
		}
		check("Save", s.Save(t.Context(), id, session.Change{Set: map[string][]byte{"a": []byte("j1")}}, r))
		_, err := s.Incr(t.Context(), id, "n", 1, r)
		check("Incr", err)
		_, _, err = s.Take(t.Context(), id, r)
		check("Take", err)
		_, err = s.Delete(t.Context(), id)
		check("Delete", err)
		if exists(t, rdb, key) {
			t.Fatal("the delete is not on the primary")
		}
		// Nothing written, nothing to wait for.
		err = s.Save(t.Context(), newID(t, rdb), session.Change{}, r)
		if !errors.Is(err, session.ErrNotFound) {
			t.Fatalf("Save of a missing session = %v, want ErrNotFound", err)
		}
	})
}

func TestPing(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		if err := newStore(t, rdb).Ping(t.Context()); err != nil {
			t.Fatalf("Ping = %v", err)
		}
	})
}
