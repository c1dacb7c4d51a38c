package redisstore_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// These tests need no Redis: the client points at a port nobody listens on.

func deadAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func deadClient(t *testing.T) (*redis.Client, *counter) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{
		Addr: deadAddr(t), ContextTimeoutEnabled: true,
		MaxRetries: -1, DialerRetries: 1, DialTimeout: time.Second,
		MaintNotificationsConfig: &maintnotifications.Config{Mode: maintnotifications.ModeDisabled},
	})
	t.Cleanup(func() { rdb.Close() })
	var c counter
	rdb.AddHook(&c)
	return rdb, &c
}

func TestNewRefuses(t *testing.T) {
	good, _ := deadClient(t)
	noCtx := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	clusterNoCtx := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": "127.0.0.1:1"}, ContextTimeoutEnabled: true})
	maintOn := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}) // go-redis's default: auto
	t.Cleanup(func() { noCtx.Close(); clusterNoCtx.Close(); ring.Close(); maintOn.Close() })
	tests := []struct {
		name string
		rdb  redis.UniversalClient
		opts []redisstore.Option
	}{
		{"nil client", nil, nil},
		{"typed nil client", (*redis.Client)(nil), nil},
		{"no context timeouts", noCtx, nil},
		{"cluster without context timeouts", clusterNoCtx, nil},
		{"ring", ring, nil},
		{"empty prefix", good, []redisstore.Option{redisstore.WithPrefix("")}},
		{"hash tag in prefix", good, []redisstore.Option{redisstore.WithPrefix("{s}:")}},
		{"zero timeout", good, []redisstore.Option{redisstore.WithTimeout(0)}},
		{"negative replicas", good, []redisstore.Option{redisstore.WithWait(-1, time.Second)}},
		{"wait without timeout", good, []redisstore.Option{redisstore.WithWait(1, 0)}},
		{"wait with maintenance notifications on", maintOn, []redisstore.Option{redisstore.WithWait(1, time.Second)}},
		{"wait longer than a call", good, []redisstore.Option{redisstore.WithTimeout(time.Second), redisstore.WithWait(1, time.Second)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := redisstore.New(tt.rdb, tt.opts...)
			if !errors.Is(err, session.ErrInvalidOption) || s != nil {
				t.Fatalf("New = %v, %v; want ErrInvalidOption", s, err)
			}
		})
	}
}

func TestNewAccepts(t *testing.T) {
	opt, err := redisstore.ParseURL("redis://user:secret@127.0.0.1:1/2")
	if err != nil {
		t.Fatal(err)
	}
	if !opt.ContextTimeoutEnabled || opt.DB != 2 {
		t.Fatalf("ParseURL = %+v", opt)
	}
	for name, rdb := range map[string]redis.UniversalClient{
		"url":      redis.NewClient(opt),
		"single":   redis.NewUniversalClient(redisstore.UniversalOptions("", "127.0.0.1:1")),
		"cluster":  redis.NewUniversalClient(redisstore.UniversalOptions("", "127.0.0.1:1", "127.0.0.1:2")),
		"sentinel": redis.NewUniversalClient(redisstore.UniversalOptions("mymaster", "127.0.0.1:1")),
	} {
		t.Cleanup(func() { rdb.Close() })
		if _, err := redisstore.New(rdb, redisstore.WithWait(1, time.Second)); err != nil {
			t.Errorf("%s: New = %v", name, err)
		}
	}
}

func TestParseURLHidesPassword(t *testing.T) {
	_, err := redisstore.ParseURL("redis://user:s3cret@[::1")
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("ParseURL = %v", err)
	}
}

// An ID that is not a hashed token never reaches Redis.
func TestInvalidIDRefusedBeforeRedis(t *testing.T) {
	rdb, c := deadClient(t)
	s, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	r := session.Rules{Now: now, Idle: time.Hour, Absolute: time.Hour}
	for _, id := range []string{
		"",
		"short",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",   // 42
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // 44
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",  // padding
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+",  // std alphabet
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\x00",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAé",
		"{AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA}",
	} {
		_, _, lerr := s.Load(t.Context(), id)
		cerr := s.Create(t.Context(), id, session.Record{Created: now, Deadline: now.Add(time.Hour)}, r)
		serr := s.Save(t.Context(), id, session.Change{}, r)
		_, ierr := s.Incr(t.Context(), id, "n", 1, r)
		_, perr := s.Pop(t.Context(), id, "n", r)
		_, _, werr := s.Swap(t.Context(), id, "n", nil, nil, r)
		_, _, terr := s.Take(t.Context(), id, r)
		uerr := s.Touch(t.Context(), id, r)
		_, derr := s.Delete(t.Context(), id)
		for _, err := range []error{lerr, cerr, serr, ierr, perr, werr, terr, uerr, derr} {
			if !errors.Is(err, redisstore.ErrInvalidID) {
				t.Errorf("%q: %v, want ErrInvalidID", id, err)
			}
		}
	}
	if n := c.commands.Load(); n != 0 {
		t.Fatalf("%d commands reached Redis", n)
	}
}

func TestSaveRefusesMetadataFields(t *testing.T) {
	rdb, c := deadClient(t)
	s, err := redisstore.New(rdb)
	if err != nil {
		t.Fatal(err)
	}
	_, id := newToken(t)
	now := time.Now()
	r := session.Rules{Now: now, Idle: time.Hour, Absolute: time.Hour}
	for _, name := range []string{"@c", "@d", "@t", "@s", "@n", "@u", "@m"} {
		for what, err := range map[string]error{
			"set":    s.Save(t.Context(), id, session.Change{Set: map[string][]byte{name: []byte("1")}}, r),
			"delete": s.Save(t.Context(), id, session.Change{Delete: []string{name}}, r),
			"append": s.Save(t.Context(), id, session.Change{Append: map[string][][]byte{name: {[]byte("j")}}}, r),
			"create": s.Create(t.Context(), id, session.Record{Created: now, Deadline: now.Add(time.Hour), Values: map[string][]byte{name: []byte("1")}}, r),
			"incr":   func() error { _, err := s.Incr(t.Context(), id, name, 1, r); return err }(),
			"pop":    func() error { _, err := s.Pop(t.Context(), id, name, r); return err }(),
			"swap":   func() error { _, _, err := s.Swap(t.Context(), id, name, nil, nil, r); return err }(),
		} {
			if !errors.Is(err, session.ErrInvalidKey) {
				t.Errorf("%s %s = %v, want ErrInvalidKey", what, name, err)
			}
		}
	}
	if err := s.Save(t.Context(), id, session.Change{}, session.Rules{Now: now, Absolute: time.Hour}); !errors.Is(err, session.ErrInvalidOption) {
		t.Errorf("Save without an idle timeout = %v, want ErrInvalidOption", err)
	}
	// Refused or born expired: decided without Redis.
	limited := r
	limited.MaxSize = 3
	big := session.Record{Created: now, Deadline: now.Add(time.Hour), Values: map[string][]byte{"k": []byte("jvv")}}
	if err := s.Create(t.Context(), id, big, limited); !errors.Is(err, session.ErrTooLarge) {
		t.Errorf("Create(too large) = %v, want ErrTooLarge", err)
	}
	if err := s.Create(t.Context(), id, session.Record{Created: now, Deadline: now}, r); err != nil {
		t.Errorf("Create(expired) = %v, want nil", err)
	}
	if n := c.commands.Load(); n != 0 {
		t.Fatalf("%d commands reached Redis", n)
	}
}

func TestUnavailable(t *testing.T) {
	rdb, c := deadClient(t)
	s, err := redisstore.New(rdb, redisstore.WithTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	_, id := newToken(t)
	now := time.Now()
	expired, cancel := context.WithDeadline(t.Context(), now.Add(-time.Second))
	defer cancel()
	r := session.Rules{Now: now, Idle: time.Hour, Absolute: time.Hour}
	ops := map[string]func(ctx context.Context) error{
		"load": func(ctx context.Context) error { _, _, err := s.Load(ctx, id); return err },
		"create": func(ctx context.Context) error {
			return s.Create(ctx, id, session.Record{Created: now, Deadline: now.Add(time.Hour)}, r)
		},
		"save":   func(ctx context.Context) error { return s.Save(ctx, id, session.Change{}, r) },
		"incr":   func(ctx context.Context) error { _, err := s.Incr(ctx, id, "n", 1, r); return err },
		"pop":    func(ctx context.Context) error { _, err := s.Pop(ctx, id, "n", r); return err },
		"take":   func(ctx context.Context) error { _, _, err := s.Take(ctx, id, r); return err },
		"delete": func(ctx context.Context) error { _, err := s.Delete(ctx, id); return err },
		"ping":   func(ctx context.Context) error { return s.Ping(ctx) },
	}
	for name, op := range ops {
		err := op(t.Context())
		if !errors.Is(err, session.ErrUnavailable) || strings.Contains(err.Error(), id) {
			t.Errorf("%s = %v, want ErrUnavailable without the id", name, err)
		}
		err = op(expired)
		if !errors.Is(err, session.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with an expired context = %v, want ErrUnavailable and DeadlineExceeded", name, err)
		}
	}
	// Every call carried a deadline no later than the store's timeout.
	if n := c.noDeadline.Load(); n != 0 {
		t.Fatalf("%d commands without a deadline", n)
	}
}
