package memstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

var _ session.Store = (*Store)(nil)

// minSweep is the fewest writes between two sweeps for expired sessions.
const minSweep = 64

// Store is an in-process session.Store. Its zero value is not usable; call
// New. A Store is safe for concurrent use.
//
// Expired sessions are removed when they are next accessed, and by a sweep
// that runs after every max(64, n) writes, where n is the number of sessions
// left by the previous sweep; so memory stays proportional to the live
// sessions without a background goroutine, at an amortised constant cost
// per write.
type Store struct {
	clock func() time.Time

	mu         sync.Mutex
	entries    map[string]*entry
	indexes    map[string]map[string]time.Time // user -> handle -> deadline
	remembered map[string]*remembered          // remember-me tokens by ID
	writes     int                             // writes since the last sweep
	sweepAt    int                             // sweep when writes reaches this
}

// entry is one stored session, or the marker a renewed one leaves behind.
type entry struct {
	created  time.Time // millisecond precision, as Redis stores it
	deadline time.Time // millisecond precision, as Redis stores it
	touched  time.Time // millisecond precision, as Redis stores it
	expires  time.Time // on the store's clock
	user     string    // strings are immutable: callers can never alias them
	label    string
	restored bool
	life     session.Lifetime  // the session's own timeouts, whole milliseconds
	values   map[string]string // likewise
	renewed  bool              // a marker left by Take: every call answers ErrRenewed
}

// Option configures a Store.
type Option interface {
	apply(*config)
}

type config struct {
	clock func() time.Time
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// WithClock makes the store judge expiry by clock instead of time.Now. Pass
// the same clock to session.WithClock so engine and store share one time.
// A nil clock keeps time.Now.
func WithClock(clock func() time.Time) Option {
	return optionFunc(func(c *config) { c.clock = clock })
}

// New returns an empty Store.
func New(opts ...Option) *Store {
	var c config
	for _, o := range opts {
		if o != nil {
			o.apply(&c)
		}
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	return &Store{clock: c.clock, entries: make(map[string]*entry), sweepAt: minSweep,
		indexes: make(map[string]map[string]time.Time), remembered: make(map[string]*remembered)}
}

// Load returns the session stored under id, found=false when it is missing
// or has expired on the store's clock. It changes nothing.
func (s *Store) Load(ctx context.Context, id string) (session.Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return session.Record{}, false, unavailable("load", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(id)
	switch {
	case e == nil:
		return session.Record{}, false, nil
	case e.renewed:
		return session.Record{}, false, fmt.Errorf("memstore: load: %w", session.ErrRenewed)
	}
	return e.record(), true, nil
}

// Create writes a new session under id. A session whose lifetime is
// already over (less than a millisecond, the Redis granularity) is not
// stored.
func (s *Store) Create(ctx context.Context, id string, rec session.Record, r session.Rules) error {
	if err := ctx.Err(); err != nil {
		return unavailable("create", err)
	}
	if err := checkRules(r); err != nil {
		return fmt.Errorf("memstore: create: %w", err)
	}
	e := &entry{
		created: toMilli(rec.Created), deadline: toMilli(rec.Deadline), touched: toMilli(r.Now),
		user: rec.User, label: rec.Label, restored: rec.Restored, life: toMilliLifetime(rec.Lifetime),
		values: make(map[string]string, len(rec.Values)),
	}
	for k, v := range rec.Values {
		e.values[strings.Clone(k)] = string(v) // k may point into a reused request buffer (fasthttp)
	}
	if err := checkLimits(nil, e.values, nil, r); err != nil {
		return fmt.Errorf("memstore: create: %w", err)
	}
	r = r.For(e.life)
	ttl := r.TTL(session.Deadline(e.created, e.deadline, r.Absolute))
	if ttl < time.Millisecond {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e.expires = s.clock().Add(ttl)
	s.entries[id] = e
	s.wrote()
	return nil
}

// Save applies ch to the session under id: deletes, then sets, then
// appends, all or nothing.
func (s *Store) Save(ctx context.Context, id string, ch session.Change, r session.Rules) error {
	return s.change(ctx, "save", id, r, ch.Lifetime, func(e *entry) error {
		values := make(map[string]string, len(ch.Set)+len(ch.Append))
		for k, v := range ch.Set {
			values[k] = string(v)
		}
		for k, elems := range ch.Append {
			var old []byte
			if v, ok := e.values[k]; ok {
				old = []byte(v)
			}
			values[k] = string(session.AppendList(old, elems...))
		}
		if err := checkLimits(e.values, values, ch.Delete, r); err != nil {
			return err
		}
		apply(e, values, ch.Delete)
		if ch.User != nil {
			e.user = *ch.User
		}
		if ch.Label != nil {
			e.label = *ch.Label
		}
		return nil
	})
}

// Touch extends the session's lifetime as a write would, whether or not it
// is due, and records r.Now as its last touch.
func (s *Store) Touch(ctx context.Context, id string, r session.Rules) error {
	r.TouchInterval = 0
	err := s.change(ctx, "touch", id, r, nil, func(*entry) error { return nil })
	if errors.Is(err, session.ErrNotFound) || errors.Is(err, session.ErrRenewed) {
		return nil
	}
	return err
}

// Take returns the session under id and leaves a marker in its place for
// session.RenewGrace.
func (s *Store) Take(ctx context.Context, id string, r session.Rules) (session.Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return session.Record{}, false, unavailable("take", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(id)
	switch {
	case e == nil:
		return session.Record{}, false, nil
	case e.renewed:
		return session.Record{}, false, fmt.Errorf("memstore: take: %w", session.ErrRenewed)
	}
	s.entries[id] = &entry{renewed: true, expires: s.clock().Add(session.RenewGrace)}
	s.wrote()
	return e.record(), true, nil
}

// Delete removes the session under id and returns its user; a missing
// session is not an error.
func (s *Store) Delete(ctx context.Context, id string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", unavailable("delete", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var user string
	if e := s.live(id); e != nil {
		user = e.user
	}
	delete(s.entries, id)
	return user, nil
}

// Incr adds delta to the counter under key.
func (s *Store) Incr(ctx context.Context, id, key string, delta int64, r session.Rules) (int64, error) {
	var n int64
	err := s.change(ctx, "incr", id, r, nil, func(e *entry) error {
		old, had := e.values[key]
		if had {
			var err error
			if n, err = strconv.ParseInt(old, 10, 64); err != nil {
				return &session.NotCounterError{Value: []byte(old)}
			}
		}
		if delta > 0 && n > 1<<63-1-delta || delta < 0 && n < -1<<63-delta {
			return errors.New("memstore: incr: integer overflow")
		}
		n += delta
		values := map[string]string{key: strconv.FormatInt(n, 10)}
		if err := checkLimits(e.values, values, nil, r); err != nil {
			return err
		}
		apply(e, values, nil)
		return nil
	})
	return n, err
}

// Pop removes the value under key and returns it.
func (s *Store) Pop(ctx context.Context, id, key string, r session.Rules) ([]byte, error) {
	var v []byte
	err := s.change(ctx, "pop", id, r, nil, func(e *entry) error {
		if old, ok := e.values[key]; ok {
			v = []byte(old)
			delete(e.values, key)
		}
		return nil
	})
	return v, err
}

// Swap replaces the value under key with new if it still equals old.
func (s *Store) Swap(ctx context.Context, id, key string, old, new []byte, r session.Rules) ([]byte, bool, error) {
	var cur []byte
	var swapped bool
	err := s.change(ctx, "swap", id, r, nil, func(e *entry) error {
		v, had := e.values[key]
		if had != (old != nil) || had && v != string(old) {
			if had {
				cur = []byte(v)
			}
			return nil
		}
		values, del := map[string]string{key: string(new)}, []string(nil)
		if new == nil {
			values, del = nil, []string{key}
		}
		if err := checkLimits(e.values, values, del, r); err != nil {
			return err
		}
		apply(e, values, del)
		cur, swapped = bytes.Clone(new), true
		return nil
	})
	return cur, swapped, err
}

// Ping returns nil unless ctx is done: an in-process store is always there.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return unavailable("ping", err)
	}
	return nil
}

// TTL returns the lifetime the session under id has left on the store's
// clock; zero when there is none. It is meant for tests.
func (s *Store) TTL(ctx context.Context, id string) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, unavailable("ttl", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.live(id); e != nil {
		return e.expires.Sub(s.clock()), nil
	}
	return 0, nil
}

// Len reports how many sessions the store holds, counting expired ones it
// has not removed yet but not the markers renewed ones leave. It is meant
// for tests.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, e := range s.entries {
		if !e.renewed {
			n++
		}
	}
	return n
}

// change runs fn on the live session under id, as one atomic step: it
// checks the session exists, is not a renewal marker and is within its
// deadlines, then extends its lifetime when due (a touch folded into the
// write). fn changes nothing when it returns an error. A new lifetime
// (not nil) is recorded after fn, moves the deadline to created plus its
// absolute timeout and sets the lifetime afresh.
func (s *Store) change(ctx context.Context, op, id string, r session.Rules, life *session.Lifetime, fn func(*entry) error) error {
	if err := ctx.Err(); err != nil {
		return unavailable(op, err)
	}
	if err := checkRules(r); err != nil {
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.live(id)
	switch {
	case e == nil:
		return fmt.Errorf("memstore: %s: %w", op, session.ErrNotFound)
	case e.renewed:
		return fmt.Errorf("memstore: %s: %w", op, session.ErrRenewed)
	}
	own := r.For(e.life)
	deadline := session.Deadline(e.created, e.deadline, own.Absolute)
	if !r.Now.Before(deadline) {
		delete(s.entries, id)
		return fmt.Errorf("memstore: %s: %w", op, session.ErrNotFound)
	}
	if err := fn(e); err != nil {
		var nc *session.NotCounterError
		if errors.As(err, &nc) {
			return err
		}
		return fmt.Errorf("memstore: %s: %w", op, err)
	}
	if life != nil {
		e.life = toMilliLifetime(*life)
		own = r.For(e.life)
		e.deadline = toMilli(e.created.Add(own.Absolute))
		deadline = e.deadline
	}
	if life != nil || own.TouchDue(e.touched) {
		e.touched = toMilli(r.Now)
		e.expires = s.clock().Add(own.TTL(deadline))
	}
	s.wrote()
	return nil
}

// live returns the entry under id, removing it if it has expired.
// The caller holds s.mu.
func (s *Store) live(id string) *entry {
	e := s.entries[id]
	if e == nil {
		return nil
	}
	if !s.clock().Before(e.expires) {
		delete(s.entries, id)
		return nil
	}
	return e
}

// wrote counts a write and sweeps out expired sessions every so often.
// The caller holds s.mu.
func (s *Store) wrote() {
	s.writes++
	if s.writes < s.sweepAt {
		return
	}
	now := s.clock()
	for id, e := range s.entries {
		if !now.Before(e.expires) {
			delete(s.entries, id)
		}
	}
	for id, r := range s.remembered {
		if !now.Before(r.expires) {
			delete(s.remembered, id)
		}
	}
	for user, index := range s.indexes {
		if !now.Before(latest(index)) {
			delete(s.indexes, user)
		}
	}
	s.writes, s.sweepAt = 0, max(minSweep, len(s.entries))
}

// record is a copy of e as a session.Record.
func (e *entry) record() session.Record {
	values := make(map[string][]byte, len(e.values))
	for k, v := range e.values {
		values[k] = []byte(v)
	}
	return session.Record{Created: e.created, Deadline: e.deadline, Touched: e.touched, User: e.user,
		Label: e.label, Restored: e.restored, Lifetime: e.life, Values: values}
}

// apply deletes del from e, then writes set.
func apply(e *entry, set map[string]string, del []string) {
	for _, k := range del {
		delete(e.values, k)
	}
	for k, v := range set {
		e.values[strings.Clone(k)] = v
	}
}

// checkLimits reports session.ErrTooLarge when values, with del deleted and
// set written, grow past r's limits; each written value is also held to
// r.MaxValue. A session already over limits lowered since may shrink.
func checkLimits(values, set map[string]string, del []string, r session.Rules) error {
	size0, keys0 := measure(values)
	size, keys := size0, keys0
	gone := func(k string) {
		if v, ok := values[k]; ok {
			size -= session.Size(k, []byte(v))
			keys--
		}
	}
	for _, k := range del {
		if _, alsoSet := set[k]; !alsoSet {
			gone(k)
		}
	}
	for k, v := range set {
		if r.MaxValue > 0 && len(k)+len(v) > r.MaxValue {
			return fmt.Errorf("value %q: %w", k, session.ErrTooLarge)
		}
		gone(k)
		size += session.Size(k, []byte(v))
		keys++
	}
	if r.MaxSize > 0 && size > r.MaxSize && size > size0 || r.MaxKeys > 0 && keys > r.MaxKeys && keys > keys0 {
		return session.ErrTooLarge
	}
	return nil
}

// measure is the size and count of values, as Rules count them.
func measure(values map[string]string) (size, keys int) {
	for k, v := range values {
		size += session.Size(k, []byte(v))
	}
	return size, len(values)
}

// checkRules refuses rules the Redis store would refuse too.
func checkRules(r session.Rules) error {
	if r.Idle < time.Millisecond || r.Absolute < time.Millisecond {
		return fmt.Errorf("lifetimes %v/%v are below 1ms: %w", r.Idle, r.Absolute, session.ErrInvalidOption)
	}
	return nil
}

func unavailable(op string, err error) error {
	return fmt.Errorf("memstore: %s: %w: %w", op, session.ErrUnavailable, err)
}

// toMilli drops what the Redis layout cannot hold (unix ms decimal).
func toMilli(t time.Time) time.Time {
	return time.UnixMilli(t.UnixMilli())
}

// toMilliLifetime drops what the Redis layout cannot hold.
func toMilliLifetime(l session.Lifetime) session.Lifetime {
	return session.Lifetime{Idle: l.Idle.Truncate(time.Millisecond), Absolute: l.Absolute.Truncate(time.Millisecond)}
}
