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

// create writes a new session with an idle timeout of one hour.
func create(t *testing.T, s *redisstore.Store, id string, now, deadline time.Time, values map[string][]byte) {
	t.Helper()
	err := s.Save(t.Context(), id, session.Change{
		Create: true, Now: now, Idle: idle, Created: now, Deadline: deadline, Set: values,
	})
	if err != nil {
		t.Fatalf("Save(Create): %v", err)
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

func TestLayout(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		id := newID(t, rdb)
		key := testPrefix + id
		now := time.Now()
		deadline := now.Add(12 * time.Hour)
		values := map[string][]byte{"visits": []byte("j41"), "@user": []byte(`j"alice"`), "bin": {'m', 0, 0xff}}
		create(t, s, id, now, deadline, values)

		if typ := rdb.Type(t.Context(), key).Val(); typ != "hash" {
			t.Fatalf("TYPE %s = %q, want hash", key, typ)
		}
		want := map[string]string{
			"@c":     strconv.FormatInt(now.UnixMilli(), 10),
			"@d":     strconv.FormatInt(deadline.UnixMilli(), 10),
			"visits": "j41", "@user": `j"alice"`, "bin": "m\x00\xff",
		}
		if got := hgetall(t, rdb, key); !maps.Equal(got, want) {
			t.Fatalf("HGETALL = %q, want %q", got, want)
		}

		rec, found, err := s.Load(t.Context(), id, session.Touch{Now: now, Idle: idle, Interval: time.Minute})
		if err != nil || !found {
			t.Fatalf("Load = found %v, %v", found, err)
		}
		if !rec.Created.Equal(time.UnixMilli(now.UnixMilli())) || !rec.Deadline.Equal(time.UnixMilli(deadline.UnixMilli())) {
			t.Fatalf("Created, Deadline = %v, %v; want %v, %v (ms)", rec.Created, rec.Deadline, now, deadline)
		}
		if !maps.EqualFunc(rec.Values, values, bytes.Equal) {
			t.Fatalf("Values = %q, want %q", rec.Values, values)
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

		ch := session.Change{Now: now, Idle: idle, MaxSize: 1 << 20, Set: map[string][]byte{}}
		for i := range n / 2 {
			ch.Delete = append(ch.Delete, fmt.Sprintf("k%d", i))
			ch.Set[fmt.Sprintf("new%d", i)] = []byte("jx")
			delete(values, fmt.Sprintf("k%d", i))
			values[fmt.Sprintf("new%d", i)] = []byte("jx")
		}
		if err := s.Save(t.Context(), id, ch); err != nil {
			t.Fatalf("Save: %v", err)
		}
		rec, _, err := s.Load(t.Context(), id, session.Touch{Now: now, Idle: idle, Interval: time.Minute})
		if err != nil || !maps.EqualFunc(rec.Values, values, bytes.Equal) {
			t.Fatalf("Load = %d values, %v; want %d values", len(rec.Values), err, len(values))
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
			change   bool          // a Save without Create after the create
			min, max time.Duration // bounds of PTTL afterwards
		}{
			{"create", 12 * time.Hour, false, 0, idle},
			{"create capped by deadline", 10 * time.Second, false, 0, 10 * time.Second},
			{"change extends", 12 * time.Hour, true, 5 * time.Second, idle},
			{"change capped by deadline", 10 * time.Second, true, 5 * time.Second, 10 * time.Second},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := newID(t, rdb)
				key := testPrefix + id
				create(t, s, id, now, now.Add(tt.deadline), nil)
				if tt.change {
					// Age the session, then expect the change to restore its lifetime.
					rdb.PExpire(t.Context(), key, 5*time.Second)
					err := s.Save(t.Context(), id, session.Change{Now: time.Now(), Idle: idle, Set: map[string][]byte{"k": []byte("jv")}})
					if err != nil {
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

func TestTouch(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		id := newID(t, rdb)
		key := testPrefix + id
		now := time.Now()
		create(t, s, id, now, now.Add(12*time.Hour), map[string][]byte{"k": []byte("jv")})
		// Ten minutes of the hour used.
		if err := rdb.PExpire(t.Context(), key, 50*time.Minute).Err(); err != nil {
			t.Fatal(err)
		}
		events := keyEvents(t, rdb, key)

		for range 5 { // within the interval: no write at all
			rec, found, err := s.Load(t.Context(), id, session.Touch{Now: time.Now(), Idle: idle, Interval: 11 * time.Minute})
			if err != nil || !found {
				t.Fatalf("Load = found %v, %v", found, err)
			}
			if rec.TTL > 50*time.Minute {
				t.Fatalf("Record.TTL = %v, touched within the interval", rec.TTL)
			}
		}
		if d := pttl(t, rdb, key); d > 50*time.Minute {
			t.Fatalf("PTTL = %v after loads within the interval", d)
		}
		// A write whose events come right after any the loads made.
		if err := s.Save(t.Context(), id, session.Change{Now: time.Now(), Idle: idle, Set: map[string][]byte{"k": []byte("jw")}}); err != nil {
			t.Fatal(err)
		}
		if got := nextEvents(t, events, 2); got[0] != "hset" || got[1] != "expire" {
			t.Fatalf("keyspace events = %q, want [hset expire] (loads within the interval wrote)", got)
		}

		rdb.PExpire(t.Context(), key, 50*time.Minute)
		rec, _, err := s.Load(t.Context(), id, session.Touch{Now: time.Now(), Idle: idle, Interval: 9 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if rec.TTL != idle {
			t.Fatalf("Record.TTL = %v after a touch, want %v", rec.TTL, idle)
		}
		if d := pttl(t, rdb, key); d <= 50*time.Minute {
			t.Fatalf("PTTL = %v, not touched past the interval", d)
		}
		if got := nextEvents(t, events, 2); got[0] != "expire" || got[1] != "expire" {
			t.Fatalf("keyspace events = %q, want [expire expire] (test PEXPIRE, touch)", got)
		}

		// The touch is capped by the deadline.
		id2 := newID(t, rdb)
		create(t, s, id2, now, now.Add(30*time.Minute), nil)
		rdb.PExpire(t.Context(), testPrefix+id2, 20*time.Minute)
		rec, _, err = s.Load(t.Context(), id2, session.Touch{Now: time.Now(), Idle: idle, Interval: 5 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if d := pttl(t, rdb, testPrefix+id2); d <= 20*time.Minute || d > 30*time.Minute || rec.TTL > 30*time.Minute {
			t.Fatalf("PTTL = %v, Record.TTL = %v, want in (20m, 30m]", d, rec.TTL)
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
		for i := range n {
			wg.Go(func() {
				errs <- s.Save(t.Context(), id, session.Change{
					Now: time.Now(), Idle: idle, MaxSize: 1 << 20,
					Set: map[string][]byte{fmt.Sprintf("k%02d", i): fmt.Appendf(nil, "j%d", i)},
				})
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("Save: %v", err)
			}
		}
		rec, found, err := s.Load(t.Context(), id, session.Touch{Now: time.Now(), Idle: idle, Interval: time.Minute})
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
	})
}

func TestNoResurrection(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		now := time.Now()
		set := map[string][]byte{"k": []byte("jv")}
		tests := []struct {
			name string
			kill func(t *testing.T, id string) // ends the session
			now  time.Time                     // the clock of the Save that follows
		}{
			{"deleted", func(t *testing.T, id string) {
				if err := s.Delete(t.Context(), id); err != nil {
					t.Fatal(err)
				}
			}, now},
			{"never existed", func(*testing.T, string) {}, now},
			{"deadline passed", func(*testing.T, string) {}, now.Add(time.Hour + time.Millisecond)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := newID(t, rdb)
				if tt.name != "never existed" {
					create(t, s, id, now, now.Add(time.Hour), set)
				}
				tt.kill(t, id)
				err := s.Save(t.Context(), id, session.Change{Now: tt.now, Idle: idle, Set: set})
				if !errors.Is(err, session.ErrNotFound) {
					t.Fatalf("Save = %v, want ErrNotFound", err)
				}
				if exists(t, rdb, testPrefix+id) {
					t.Fatal("the session is back")
				}
			})
		}
		t.Run("load past the deadline", func(t *testing.T) {
			id := newID(t, rdb)
			create(t, s, id, now, now.Add(time.Hour), set)
			_, found, err := s.Load(t.Context(), id, session.Touch{Now: now.Add(time.Hour), Idle: idle})
			if err != nil || found {
				t.Fatalf("Load = found %v, %v; want absent", found, err)
			}
			if exists(t, rdb, testPrefix+id) {
				t.Fatal("a session past its deadline was kept")
			}
		})
		t.Run("delete missing", func(t *testing.T) {
			if err := s.Delete(t.Context(), newID(t, rdb)); err != nil {
				t.Fatalf("Delete = %v", err)
			}
		})
	})
}

func TestMaxSize(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb)
		now := time.Now()
		// Values of 10 bytes: field "kN" (2) + 8 bytes. The metadata never counts.
		val := func() []byte { return []byte("j1234567") }
		three := map[string][]byte{"k1": val(), "k2": val(), "k3": val()}
		tests := []struct {
			name    string
			initial map[string][]byte // nil: the change is a create
			ch      session.Change
			wantErr error
		}{
			{"create at limit", nil, session.Change{MaxSize: 30, Set: three}, nil},
			{"create over", nil, session.Change{MaxSize: 29, Set: three}, session.ErrTooLarge},
			{"change at limit", map[string][]byte{"k1": val(), "k2": val()}, session.Change{MaxSize: 30, Set: map[string][]byte{"k3": val()}}, nil},
			{"change over", map[string][]byte{"k1": val(), "k2": val()}, session.Change{MaxSize: 29, Set: map[string][]byte{"k3": val()}}, session.ErrTooLarge},
			{"overwrite counts once", three, session.Change{MaxSize: 30, Set: map[string][]byte{"k1": val()}}, nil},
			{"delete makes room", three, session.Change{MaxSize: 30, Delete: []string{"k1"}, Set: map[string][]byte{"k4": val()}}, nil},
			{"delete missing makes none", three, session.Change{MaxSize: 30, Delete: []string{"k9"}, Set: map[string][]byte{"k4": val()}}, session.ErrTooLarge},
			{"no limit", three, session.Change{Set: map[string][]byte{"k4": bytes.Repeat([]byte("j"), 1<<16)}}, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := newID(t, rdb)
				key := testPrefix + id
				ch := tt.ch
				ch.Now, ch.Idle = now, idle
				if tt.initial == nil {
					ch.Create, ch.Created, ch.Deadline = true, now, now.Add(time.Hour)
				} else {
					create(t, s, id, now, now.Add(time.Hour), tt.initial)
					rdb.PExpire(t.Context(), key, 5*time.Second)
				}
				before := hgetall(t, rdb, key)
				err := s.Save(t.Context(), id, ch)
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
					t.Fatalf("Save = %v, want %v", err, tt.wantErr)
				}
				if err == nil {
					return
				}
				if after := hgetall(t, rdb, key); !maps.Equal(after, before) {
					t.Fatalf("a refused Save changed the hash: %q -> %q", before, after)
				}
				if d := pttl(t, rdb, key); d > 5*time.Second {
					t.Fatalf("a refused Save extended the TTL to %v", d)
				}
			})
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
		}{
			{"string key", func(ctx context.Context, key string) error { return rdb.Set(ctx, key, "x", time.Minute).Err() }},
			{"list key", func(ctx context.Context, key string) error { return rdb.RPush(ctx, key, "x").Err() }},
			{"values only", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "k", "jv").Err() }},
			{"no deadline", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "@c", ms, "k", "jv").Err() }},
			{"no created", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "@d", later).Err() }},
			{"garbage created", func(ctx context.Context, key string) error {
				return rdb.HSet(ctx, key, "@c", "yesterday", "@d", later).Err()
			}},
			{"garbage deadline", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "@c", ms, "@d", "1e13").Err() }},
			{"signed deadline", func(ctx context.Context, key string) error {
				return rdb.HSet(ctx, key, "@c", ms, "@d", "+"+later).Err()
			}},
			{"empty created", func(ctx context.Context, key string) error { return rdb.HSet(ctx, key, "@c", "", "@d", later).Err() }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				id := newID(t, rdb)
				key := testPrefix + id
				if err := tt.write(t.Context(), key); err != nil {
					t.Fatal(err)
				}
				dump := rdb.Dump(t.Context(), key).Val()

				rec, found, err := s.Load(t.Context(), id, session.Touch{Now: now, Idle: idle, Interval: time.Minute})
				if !errors.Is(err, session.ErrCorrupt) || found || rec.Values != nil {
					t.Fatalf("Load = %v, %v, %v; want ErrCorrupt and nothing", rec, found, err)
				}
				err = s.Save(t.Context(), id, session.Change{Now: now, Idle: idle, Set: map[string][]byte{"k": []byte("jw")}})
				if !errors.Is(err, session.ErrCorrupt) {
					t.Fatalf("Save = %v, want ErrCorrupt", err)
				}
				if rdb.Dump(t.Context(), key).Val() != dump {
					t.Fatal("corrupt data was changed")
				}
				if strings.Contains(err.Error(), id) {
					t.Fatalf("error %q contains the id", err)
				}
			})
		}
	})
}

func TestRoundTrips(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		var c counter
		rdb.AddHook(&c)
		s := newStore(t, rdb)
		id := newID(t, rdb)
		now := time.Now()
		// Warm the script cache so that counts do not include EVAL after NOSCRIPT.
		create(t, s, id, now, now.Add(time.Hour), nil)
		s.Load(t.Context(), id, session.Touch{Now: now, Idle: idle})
		s.Save(t.Context(), id, session.Change{Now: now, Idle: idle})

		ops := []struct {
			name string
			do   func(ctx context.Context) error
		}{
			{"create", func(ctx context.Context) error {
				return s.Save(ctx, id, session.Change{Create: true, Now: now, Idle: idle, Created: now, Deadline: now.Add(time.Hour), Set: map[string][]byte{"a": []byte("j1")}})
			}},
			{"load", func(ctx context.Context) error {
				_, _, err := s.Load(ctx, id, session.Touch{Now: time.Now(), Idle: idle, Interval: 0})
				return err
			}},
			{"change", func(ctx context.Context) error {
				return s.Save(ctx, id, session.Change{Now: now, Idle: idle, MaxSize: 4096, Set: map[string][]byte{"b": []byte("j2")}, Delete: []string{"a"}})
			}},
			{"delete", func(ctx context.Context) error { return s.Delete(ctx, id) }},
		}
		for _, op := range ops {
			before := c.commands.Load()
			if err := op.do(t.Context()); err != nil {
				t.Fatalf("%s: %v", op.name, err)
			}
			if n := c.commands.Load() - before; n != 1 {
				t.Errorf("%s sent %d commands, want 1", op.name, n)
			}
		}
		if n := c.noDeadline.Load(); n != 0 {
			t.Errorf("%d commands without a deadline", n)
		}
	})
}

func TestWait(t *testing.T) {
	eachClient(t, func(t *testing.T, rdb redis.UniversalClient) {
		s := newStore(t, rdb, redisstore.WithWait(1, 200*time.Millisecond))
		id := newID(t, rdb)
		key := testPrefix + id
		info := primaryFor(t, rdb, key).Info(t.Context(), "replication").Val()
		hasReplica := !strings.Contains(info, "connected_slaves:0")

		now := time.Now()
		err := s.Save(t.Context(), id, session.Change{Create: true, Now: now, Idle: idle, Created: now, Deadline: now.Add(time.Hour)})
		if hasReplica && err != nil {
			t.Fatalf("Save with a replica = %v", err)
		}
		if !hasReplica && !errors.Is(err, session.ErrUnavailable) {
			t.Fatalf("Save without replicas = %v, want ErrUnavailable", err)
		}
		if !exists(t, rdb, key) {
			t.Fatal("the write is not on the primary")
		}
		// Nothing written, nothing to wait for.
		err = s.Save(t.Context(), newID(t, rdb), session.Change{Now: now, Idle: idle})
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
