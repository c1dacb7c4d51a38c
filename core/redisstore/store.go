package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/session"
)

var _ session.Store = (*Store)(nil)

// Store is a session.Store on Redis: single node, Sentinel or Cluster,
// through any go-redis v9 UniversalClient. It is safe for concurrent use.
type Store struct {
	rdb redis.UniversalClient
	config
}

// New returns a Store on rdb. It refuses (session.ErrInvalidOption) a nil
// client, a *redis.Ring, a client whose ContextTimeoutEnabled is off (request
// deadlines would not reach the socket; see ParseURL and UniversalOptions)
// and invalid options. The store never closes rdb.
func New(rdb redis.UniversalClient, opts ...Option) (*Store, error) {
	c := config{prefix: DefaultPrefix, timeout: DefaultTimeout}
	for _, o := range opts {
		o.apply(&c)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := checkClient(rdb, &c); err != nil {
		return nil, err
	}
	return &Store{rdb: rdb, config: c}, nil
}

// Load reads the session under id and touches it when due, in one round
// trip. A session past its deadline is deleted and reported absent.
func (s *Store) Load(ctx context.Context, id string, t session.Touch) (session.Record, bool, error) {
	key, err := s.key(id)
	if err != nil {
		return session.Record{}, false, fmt.Errorf("redisstore: load: %w", err)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	reply, err := loadScript.Run(ctx, s.rdb, []string{key},
		t.Now.UnixMilli(), t.Idle.Milliseconds(), t.Interval.Milliseconds()).Slice()
	if errors.Is(err, redis.Nil) {
		return session.Record{}, false, nil
	}
	if err != nil {
		return session.Record{}, false, s.storeErr("load", err)
	}
	rec, err := parseRecord(reply)
	if err != nil {
		return session.Record{}, false, err
	}
	return rec, true, nil
}

// Save applies ch to the session under id in one round trip (two with
// WithWait). Setting or deleting the metadata fields "@c" and "@d" is
// refused with session.ErrInvalidKey.
func (s *Store) Save(ctx context.Context, id string, ch session.Change) error {
	key, err := s.key(id)
	if err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	if ch.Idle < time.Millisecond {
		return fmt.Errorf("redisstore: save: idle timeout %v is not positive: %w", ch.Idle, session.ErrInvalidOption)
	}
	for name := range ch.Set {
		if reserved(name) {
			return fmt.Errorf("redisstore: save: field %s is metadata: %w", name, session.ErrInvalidKey)
		}
	}
	for _, name := range ch.Delete {
		if reserved(name) {
			return fmt.Errorf("redisstore: save: field %s is metadata: %w", name, session.ErrInvalidKey)
		}
	}
	if ch.Create {
		return s.create(ctx, key, ch)
	}
	return s.change(ctx, key, ch)
}

func (s *Store) create(ctx context.Context, key string, ch session.Change) error {
	if ch.Created.UnixMilli() < 0 {
		return fmt.Errorf("redisstore: save: created time %v is before 1970: %w", ch.Created, session.ErrInvalidOption)
	}
	ttl := session.TTL(ch.Now, ch.Deadline, ch.Idle).Milliseconds()
	if ttl <= 0 {
		return nil // born expired: there is nothing to keep
	}
	if ch.MaxSize > 0 && valuesSize(ch.Set) > ch.MaxSize {
		return fmt.Errorf("redisstore: save: %w", session.ErrTooLarge)
	}
	args := make([]any, 0, 3+2*len(ch.Set))
	args = append(args, ttl, ch.Created.UnixMilli(), ch.Deadline.UnixMilli())
	for name, value := range ch.Set {
		args = append(args, name, value)
	}
	_, err := s.write(ctx, createScript, key, args)
	return err
}

func (s *Store) change(ctx context.Context, key string, ch session.Change) error {
	args := make([]any, 0, 4+len(ch.Delete)+2*len(ch.Set))
	args = append(args, ch.Now.UnixMilli(), ch.Idle.Milliseconds(), ch.MaxSize, len(ch.Delete))
	for _, name := range ch.Delete {
		args = append(args, name)
	}
	for name, value := range ch.Set {
		args = append(args, name, value)
	}
	code, err := s.write(ctx, changeScript, key, args)
	if err != nil {
		return err
	}
	switch code {
	case changeSaved:
		return nil
	case changeNotFound:
		return fmt.Errorf("redisstore: save: %w", session.ErrNotFound)
	case changeTooLarge:
		return fmt.Errorf("redisstore: save: %w", session.ErrTooLarge)
	case changeCorrupt:
		return fmt.Errorf("redisstore: save: metadata fields unreadable: %w", session.ErrCorrupt)
	}
	return fmt.Errorf("redisstore: save: unknown script reply %d: %w", code, session.ErrCorrupt)
}

// write runs a writing script under the call timeout and, with WithWait,
// waits for the replicas on the connection that ran it. Its errors are
// already classified.
func (s *Store) write(ctx context.Context, script *redis.Script, key string, args []any) (int64, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if s.waitReplicas == 0 {
		code, err := script.Run(ctx, s.rdb, []string{key}, args...).Int64()
		if err != nil {
			return 0, s.storeErr("save", err)
		}
		return code, nil
	}
	conn, err := s.pin(ctx, key)
	if err != nil {
		return 0, s.storeErr("save", err)
	}
	defer conn.Close()
	code, err := script.Run(ctx, conn, []string{key}, args...).Int64()
	if err != nil {
		return 0, s.storeErr("save", err)
	}
	if code != changeSaved {
		return code, nil // nothing was written
	}
	n, err := conn.Wait(ctx, s.waitReplicas, s.waitTimeout).Result()
	if err != nil {
		return 0, s.storeErr("save: wait", err)
	}
	if n < int64(s.waitReplicas) {
		return 0, fmt.Errorf("redisstore: save: wait: %w: %d of %d replicas acknowledged", session.ErrUnavailable, n, s.waitReplicas)
	}
	return code, nil
}

// pin returns a connection to the primary that holds key, so that WAIT
// follows the script on the same connection.
func (s *Store) pin(ctx context.Context, key string) (*redis.Conn, error) {
	switch rdb := s.rdb.(type) {
	case *redis.Client:
		return rdb.Conn(), nil
	case *redis.ClusterClient:
		primary, err := rdb.MasterForKey(ctx, key)
		if err != nil {
			return nil, err
		}
		return primary.Conn(), nil
	}
	return nil, fmt.Errorf("cannot pin a connection on %T", s.rdb) // New refuses these
}

// Delete removes the session under id; a missing session is not an error.
func (s *Store) Delete(ctx context.Context, id string) error {
	key, err := s.key(id)
	if err != nil {
		return fmt.Errorf("redisstore: delete: %w", err)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if err := s.rdb.Del(ctx, key).Err(); err != nil {
		return s.storeErr("delete", err)
	}
	return nil
}

// Ping reports whether Redis answers. On a Cluster it pings every primary,
// because a session on an unreachable primary cannot be served.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	var err error
	if cluster, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cluster.ForEachMaster(ctx, func(ctx context.Context, primary *redis.Client) error {
			return primary.Ping(ctx).Err()
		})
	} else {
		err = s.rdb.Ping(ctx).Err()
	}
	if err != nil {
		return s.storeErr("ping", err)
	}
	return nil
}

// bound gives ctx the call timeout unless it already ends sooner.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= s.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}
