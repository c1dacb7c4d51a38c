package redisstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
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
		if o != nil {
			o.apply(&c)
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if err := checkClient(rdb, &c); err != nil {
		return nil, err
	}
	return &Store{rdb: rdb, config: c}, nil
}

// Load reads the session under id with one plain HGETALL: no script, no
// write, so loads go on while Redis pauses writes (a FAILOVER) and may be
// served by replicas.
func (s *Store) Load(ctx context.Context, id string) (session.Record, bool, error) {
	key, err := s.key(id)
	if err != nil {
		return session.Record{}, false, fmt.Errorf("redisstore: load: %w", err)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	h, err := s.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return session.Record{}, false, s.onFailure("load", err)
	}
	if len(h) == 0 {
		return session.Record{}, false, nil
	}
	rec, renewed, err := parseRecord("load", h)
	switch {
	case err != nil:
		return session.Record{}, false, err
	case renewed:
		return session.Record{}, false, fmt.Errorf("redisstore: load: %w", session.ErrRenewed)
	}
	return rec, true, nil
}

// Create writes a new session in one round trip (two with WithWait). The
// limits are checked here, before anything is sent.
func (s *Store) Create(ctx context.Context, id string, rec session.Record, r session.Rules) error {
	key, err := s.key(id)
	if err != nil {
		return fmt.Errorf("redisstore: create: %w", err)
	}
	if err := checkRules(r); err != nil {
		return fmt.Errorf("redisstore: create: %w", err)
	}
	if rec.Created.UnixMilli() < 0 {
		return fmt.Errorf("redisstore: create: created time %v is before 1970: %w", rec.Created, session.ErrInvalidOption)
	}
	own := r.For(rec.Lifetime)
	ttl := own.TTL(session.Deadline(rec.Created, rec.Deadline, own.Absolute)).Milliseconds()
	if ttl <= 0 {
		return nil // born expired: there is nothing to keep
	}
	size := 0
	for name, value := range rec.Values {
		if metadata(name) {
			return fmt.Errorf("redisstore: create: field %s is metadata: %w", name, session.ErrInvalidKey)
		}
		if r.MaxValue > 0 && len(name)+len(value) > r.MaxValue {
			return fmt.Errorf("redisstore: create: value %q: %w", name, session.ErrTooLarge)
		}
		size += session.Size(name, value)
	}
	if r.MaxSize > 0 && size > r.MaxSize || r.MaxKeys > 0 && len(rec.Values) > r.MaxKeys {
		return fmt.Errorf("redisstore: create: %w", session.ErrTooLarge)
	}
	args := make([]any, 0, 16+2*len(rec.Values))
	args = append(args,
		fieldCreated, rec.Created.UnixMilli(), fieldDeadline, rec.Deadline.UnixMilli(),
		fieldTouched, r.Now.UnixMilli(), fieldSize, size, fieldCount, len(rec.Values))
	if rec.User != "" {
		args = append(args, fieldUser, rec.User)
	}
	if rec.Label != "" {
		args = append(args, fieldLabel, rec.Label)
	}
	if rec.Restored {
		args = append(args, fieldRestored, "1")
	}
	if ms := rec.Lifetime.Idle.Milliseconds(); ms > 0 {
		args = append(args, fieldIdle, ms)
	}
	if ms := rec.Lifetime.Absolute.Milliseconds(); ms > 0 {
		args = append(args, fieldAbsolute, ms)
	}
	for name, value := range rec.Values {
		args = append(args, name, value)
	}
	// MULTI/EXEC: the hash and its TTL together, or neither. A fresh ID
	// needs no check, so no script: plain commands cost Redis less.
	return s.exec(ctx, "create", key, func(ctx context.Context, c client) (bool, error) {
		return true, multi(ctx, c, func(p redis.Pipeliner) {
			p.HSet(ctx, key, args...)
			p.PExpire(ctx, key, time.Duration(ttl)*time.Millisecond)
		})
	})
}

// multi runs MULTI/EXEC and returns the first command's error rather than
// EXECABORT, which says only that one failed (a NOPERM, say).
func multi(ctx context.Context, c client, queue func(redis.Pipeliner)) error {
	cmds, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
		queue(p)
		return nil
	})
	if err != nil {
		for _, cmd := range cmds {
			if cerr := cmd.Err(); cerr != nil && !redis.HasErrorPrefix(cerr, "EXECABORT") {
				return cerr
			}
		}
	}
	return err
}

// Save applies ch in one round trip (two with WithWait). Setting or
// deleting a metadata field is refused with session.ErrInvalidKey.
func (s *Store) Save(ctx context.Context, id string, ch session.Change, r session.Rules) error {
	key, err := s.key(id)
	if err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	if err := checkRules(r); err != nil {
		return fmt.Errorf("redisstore: save: %w", err)
	}
	n := len(ch.Delete) + 2*len(ch.Set) + 2*len(ch.Append)
	for _, elems := range ch.Append {
		n += len(elems)
	}
	args := make([]any, 0, 20+n)
	args = append(appendRules(args, r), "save")
	switch {
	case ch.User == nil:
		args = append(args, "", "")
	case *ch.User == "":
		args = append(args, "-", "")
	default:
		args = append(args, "=", *ch.User)
	}
	if ch.Label == nil {
		args = append(args, "", "")
	} else {
		args = append(args, "=", *ch.Label)
	}
	if ch.Lifetime == nil {
		args = append(args, "", 0, 0)
	} else {
		args = append(args, "=", max(ch.Lifetime.Idle.Milliseconds(), 0), max(ch.Lifetime.Absolute.Milliseconds(), 0))
	}
	args = append(args, len(ch.Delete), len(ch.Set), len(ch.Append))
	for _, name := range ch.Delete {
		if metadata(name) {
			return fmt.Errorf("redisstore: save: field %s is metadata: %w", name, session.ErrInvalidKey)
		}
		args = append(args, name)
	}
	for name, value := range ch.Set {
		if metadata(name) {
			return fmt.Errorf("redisstore: save: field %s is metadata: %w", name, session.ErrInvalidKey)
		}
		args = append(args, name, value)
	}
	for name, elems := range ch.Append {
		if metadata(name) {
			return fmt.Errorf("redisstore: save: field %s is metadata: %w", name, session.ErrInvalidKey)
		}
		args = append(args, name, len(elems))
		for _, e := range elems {
			args = append(args, e)
		}
	}
	reply, err := s.run(ctx, "save", changeScript, key, args, false)
	// A save without appends may run twice, but its reply may then lie: run
	// again after its first reply was lost, it can find the session renewed
	// or destroyed by a request that came after the write, and refuse a
	// write that happened. So go-redis does not retry it; it is retried here,
	// and a refusal after a failed attempt is an unknown outcome. (Appends
	// are not retried at all: they would add twice.)
	for attempt := 1; err != nil && len(ch.Append) == 0 && attempt <= saveRetries && retriable(ctx, err); attempt++ {
		if sleep(ctx, time.Duration(attempt)*saveRetryBackoff) != nil {
			break
		}
		reply, err = s.run(ctx, "save", changeScript, key, args, false)
		if code, _ := reply.(int64); err == nil && code != replyOK {
			return fmt.Errorf("redisstore: save: %w: outcome unknown (an attempt failed, its retry was refused: %v)",
				session.ErrUnavailable, replyErr("save", code))
		}
	}
	if err != nil {
		return err
	}
	code, _ := reply.(int64)
	return replyErr("save", code)
}

// Retries of a save that failed on the way (see Save).
const (
	saveRetries      = 2
	saveRetryBackoff = 10 * time.Millisecond
)

// retriable reports whether a failed call may be worth one more try: the
// store was unreachable or refused for a passing reason (a failover, a
// reset connection), not a timeout, and the caller still waits.
func retriable(ctx context.Context, err error) bool {
	var ne net.Error
	switch {
	case ctx.Err() != nil, !errors.Is(err, session.ErrUnavailable):
		return false
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return false
	case errors.As(err, &ne) && ne.Timeout():
		return false
	}
	return true
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Touch extends the lifetime of the session under id, if it is still there.
func (s *Store) Touch(ctx context.Context, id string, r session.Rules) error {
	key, err := s.key(id)
	if err != nil {
		return fmt.Errorf("redisstore: touch: %w", err)
	}
	if err := checkRules(r); err != nil {
		return fmt.Errorf("redisstore: touch: %w", err)
	}
	reply, err := s.run(ctx, "touch", changeScript, key, append(appendRules(nil, r), "touch"), true)
	if err != nil {
		return err
	}
	if code, _ := reply.(int64); code == replyCorrupt {
		return replyErr("touch", code)
	}
	return nil // a session gone meanwhile stays gone
}

// Take returns the session under id and leaves the renewal marker in its
// place, in one round trip.
func (s *Store) Take(ctx context.Context, id string, r session.Rules) (session.Record, bool, error) {
	key, err := s.key(id)
	if err != nil {
		return session.Record{}, false, fmt.Errorf("redisstore: take: %w", err)
	}
	reply, err := s.run(ctx, "take", takeScript, key, []any{session.RenewGrace.Milliseconds()}, false)
	if err != nil {
		return session.Record{}, false, err
	}
	switch reply := reply.(type) {
	case nil:
		return session.Record{}, false, nil
	case int64:
		return session.Record{}, false, replyErr("take", reply)
	case []any:
		h, ok := pairs(reply)
		if !ok {
			return session.Record{}, false, fmt.Errorf("redisstore: take: unexpected reply: %w", session.ErrCorrupt)
		}
		rec, _, err := parseRecord("take", h)
		return rec, err == nil, err
	}
	return session.Record{}, false, fmt.Errorf("redisstore: take: unexpected reply %T: %w", reply, session.ErrCorrupt)
}

// Delete removes the session under id and returns its user, in one round
// trip (and a WAIT with WithWait, so a logout survives a failover); a
// missing session is not an error.
func (s *Store) Delete(ctx context.Context, id string) (string, error) {
	key, err := s.key(id)
	if err != nil {
		return "", fmt.Errorf("redisstore: delete: %w", err)
	}
	reply, err := s.run(ctx, "delete", deleteScript, key, nil, true)
	user, _ := reply.(string)
	return user, err
}

// Incr adds delta to the counter under key in one round trip. It is sent
// with go-redis retries off: a retry after a lost reply would add twice.
func (s *Store) Incr(ctx context.Context, id, key string, delta int64, r session.Rules) (int64, error) {
	code, value, err := s.fieldOp(ctx, "incr", id, key, r, delta)
	switch {
	case err != nil:
		return 0, err
	case code == replyNotCounter:
		v, _ := value.(string)
		return 0, &session.NotCounterError{Value: []byte(v)}
	case code != replyOK:
		return 0, replyErr("incr", code)
	}
	v, _ := value.(string)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("redisstore: incr: reply %q: %w", v, session.ErrCorrupt)
	}
	return n, nil
}

// Pop removes the value under key and returns it, in one round trip, with
// retries off: a retry after a lost reply would find nothing.
func (s *Store) Pop(ctx context.Context, id, key string, r session.Rules) ([]byte, error) {
	code, value, err := s.fieldOp(ctx, "pop", id, key, r)
	if err == nil && code != replyOK {
		err = replyErr("pop", code)
	}
	if err != nil {
		return nil, err
	}
	if v, ok := value.(string); ok {
		return []byte(v), nil
	}
	return nil, nil
}

// Swap sets the value under key if it still equals old, in one round trip,
// with retries off: a retry after a lost reply would report a conflict
// with this very write.
func (s *Store) Swap(ctx context.Context, id, key string, old, new []byte, r session.Rules) ([]byte, bool, error) {
	flag := func(b []byte) string {
		if b == nil {
			return "0"
		}
		return "1"
	}
	code, value, err := s.fieldOp(ctx, "swap", id, key, r, flag(old), old, flag(new), new)
	switch {
	case err != nil:
		return nil, false, err
	case code == replyOK:
		return new, true, nil
	case code == replyConflict:
		if v, ok := value.(string); ok {
			return []byte(v), false, nil
		}
		return nil, false, nil
	}
	return nil, false, replyErr("swap", code)
}

// fieldOp runs an operation of changeScript that changes one field and
// replies {code, value}. None of them is the same when run twice (incr
// adds twice, pop finds nothing, swap finds its own write), so they are
// sent with retries off.
func (s *Store) fieldOp(ctx context.Context, op, id, field string, r session.Rules, extra ...any) (int64, any, error) {
	key, err := s.key(id)
	if err != nil {
		return 0, nil, fmt.Errorf("redisstore: %s: %w", op, err)
	}
	if err := checkRules(r); err != nil {
		return 0, nil, fmt.Errorf("redisstore: %s: %w", op, err)
	}
	if metadata(field) {
		return 0, nil, fmt.Errorf("redisstore: %s: field %s is metadata: %w", op, field, session.ErrInvalidKey)
	}
	args := append(appendRules(make([]any, 0, 11+len(extra)), r), op, field)
	reply, err := s.run(ctx, op, changeScript, key, append(args, extra...), false)
	if err != nil {
		return 0, nil, err
	}
	parts, _ := reply.([]any)
	if len(parts) == 0 {
		return 0, nil, fmt.Errorf("redisstore: %s: unexpected reply: %w", op, session.ErrCorrupt)
	}
	code, _ := parts[0].(int64)
	var value any
	if len(parts) > 1 {
		value = parts[1]
	}
	return code, value, nil
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
		return s.onFailure("ping", err)
	}
	return nil
}

// appendRules appends ARGV[1..9] of the changing scripts. A ceiling equal
// to its timeout, the default, goes as "" (the script reads the timeout):
// no allocation for it.
func appendRules(args []any, r session.Rules) []any {
	args = append(args, r.Now.UnixMilli(), r.Idle.Milliseconds(), r.Absolute.Milliseconds(),
		r.TouchInterval.Milliseconds(), r.MaxSize, r.MaxKeys, r.MaxValue)
	return append(args, ceiling(r.MaxIdle, r.Idle), ceiling(r.MaxAbsolute, r.Absolute))
}

// ceiling is a ceiling of Rules as the scripts take it.
func ceiling(max, timeout time.Duration) any {
	if max <= 0 || max.Milliseconds() == timeout.Milliseconds() {
		return ""
	}
	return max.Milliseconds()
}

// checkRules refuses rules the scripts cannot work with.
func checkRules(r session.Rules) error {
	if r.Idle < time.Millisecond || r.Absolute < time.Millisecond {
		return fmt.Errorf("lifetimes %v/%v are below 1ms: %w", r.Idle, r.Absolute, session.ErrInvalidOption)
	}
	if r.Now.UnixMilli() < 0 {
		return fmt.Errorf("clock %v is before 1970: %w", r.Now, session.ErrInvalidOption)
	}
	return nil
}

// replyErr turns a script's reply code into the store's error.
func replyErr(op string, code int64) error {
	switch code {
	case replyOK:
		return nil
	case replyNotFound:
		return fmt.Errorf("redisstore: %s: %w", op, session.ErrNotFound)
	case replyTooLarge:
		return fmt.Errorf("redisstore: %s: %w", op, session.ErrTooLarge)
	case replyCorrupt:
		return fmt.Errorf("redisstore: %s: metadata fields unreadable: %w", op, session.ErrCorrupt)
	case replyRenewed:
		return fmt.Errorf("redisstore: %s: %w", op, session.ErrRenewed)
	case replyOverflow:
		return fmt.Errorf("redisstore: %s: %w: integer overflow", op, session.ErrDecode)
	}
	return fmt.Errorf("redisstore: %s: unknown script reply %d: %w", op, code, session.ErrCorrupt)
}

// bound gives ctx the call timeout unless it already ends sooner.
func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= s.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.timeout)
}

var errNoPin = errors.New("cannot pin a connection")

// TTL returns the lifetime the session under id has left (PTTL); zero or
// less when there is none. It is meant for tests and tools.
func (s *Store) TTL(ctx context.Context, id string) (time.Duration, error) {
	key, err := s.key(id)
	if err != nil {
		return 0, fmt.Errorf("redisstore: ttl: %w", err)
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	d, err := s.rdb.PTTL(ctx, key).Result()
	if err != nil {
		return 0, s.onFailure("ttl", err)
	}
	return d, nil
}
