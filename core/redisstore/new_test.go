package redisstore_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
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
	t.Cleanup(func() { noCtx.Close(); clusterNoCtx.Close(); ring.Close() })
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
	ch := session.Change{Create: true, Now: now, Idle: time.Hour, Created: now, Deadline: now.Add(time.Hour)}
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
		_, _, lerr := s.Load(t.Context(), id, session.Touch{Now: now, Idle: time.Hour})
		serr := s.Save(t.Context(), id, ch)
		derr := s.Delete(t.Context(), id)
		for _, err := range []error{lerr, serr, derr} {
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
	for _, ch := range []session.Change{
		{Now: now, Idle: time.Hour, Set: map[string][]byte{"@c": []byte("1")}},
		{Now: now, Idle: time.Hour, Set: map[string][]byte{"@d": []byte("1")}},
		{Now: now, Idle: time.Hour, Delete: []string{"@d"}},
		{Create: true, Now: now, Idle: time.Hour, Deadline: now.Add(time.Hour), Set: map[string][]byte{"@c": []byte("1")}},
	} {
		if err := s.Save(t.Context(), id, ch); !errors.Is(err, session.ErrInvalidKey) {
			t.Errorf("Save(%+v) = %v, want ErrInvalidKey", ch, err)
		}
	}
	if err := s.Save(t.Context(), id, session.Change{Now: now}); !errors.Is(err, session.ErrInvalidOption) {
		t.Errorf("Save without an idle timeout = %v, want ErrInvalidOption", err)
	}
	noCreated := session.Change{Create: true, Now: now, Idle: time.Hour, Deadline: now.Add(time.Hour)}
	if err := s.Save(t.Context(), id, noCreated); !errors.Is(err, session.ErrInvalidOption) {
		t.Errorf("Save(Create) without a created time = %v, want ErrInvalidOption", err)
	}
	// Refused or born expired: decided without Redis.
	big := session.Change{Create: true, Now: now, Idle: time.Hour, Created: now, Deadline: now.Add(time.Hour), MaxSize: 3, Set: map[string][]byte{"k": []byte("jvv")}}
	if err := s.Save(t.Context(), id, big); !errors.Is(err, session.ErrTooLarge) {
		t.Errorf("Save(too large) = %v, want ErrTooLarge", err)
	}
	expired := session.Change{Create: true, Now: now, Idle: time.Hour, Created: now, Deadline: now}
	if err := s.Save(t.Context(), id, expired); err != nil {
		t.Errorf("Save(expired) = %v, want nil", err)
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
	ops := map[string]func(ctx context.Context) error{
		"load": func(ctx context.Context) error {
			_, _, err := s.Load(ctx, id, session.Touch{Now: now, Idle: time.Hour})
			return err
		},
		"create": func(ctx context.Context) error {
			return s.Save(ctx, id, session.Change{Create: true, Now: now, Idle: time.Hour, Created: now, Deadline: now.Add(time.Hour)})
		},
		"change": func(ctx context.Context) error { return s.Save(ctx, id, session.Change{Now: now, Idle: time.Hour}) },
		"delete": func(ctx context.Context) error { return s.Delete(ctx, id) },
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
