package memstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

var _ session.Store = (*Store)(nil)

// Metadata field names the Redis layout reserves in every session hash.
// memstore keeps metadata apart from values, but refuses these names as
// values so that code tested here cannot write what Redis would misread.
const (
	createdField  = "@c"
	deadlineField = "@d"
)

// minSweep is the fewest saves between two sweeps for expired sessions.
const minSweep = 64

// Store is an in-process session.Store. Its zero value is not usable; call
// New. A Store is safe for concurrent use.
//
// Expired sessions are removed when they are next accessed, and by a sweep
// that runs after every max(64, n) saves, where n is the number of sessions
// left by the previous sweep; so memory stays proportional to the live
// sessions without a background goroutine, at an amortised constant cost
// per save.
type Store struct {
	clock func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
	saves   int // saves since the last sweep
	sweepAt int // sweep when saves reaches this
}

// entry is one stored session.
type entry struct {
	created  time.Time         // millisecond precision, as Redis stores it
	deadline time.Time         // millisecond precision, as Redis stores it
	expires  time.Time         // on the store's clock
	values   map[string]string // strings: immutable, so callers can never alias them
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
	return &Store{clock: c.clock, entries: make(map[string]*entry), sweepAt: minSweep}
}

// Load returns the session stored under id, found=false when it is missing,
// has expired on the store's clock, or has reached its deadline on the
// engine's clock (t.Now). When the lifetime a touch would grant exceeds the
// remaining one by more than t.Interval, Load extends the session to it.
func (s *Store) Load(ctx context.Context, id string, t session.Touch) (session.Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return session.Record{}, false, fmt.Errorf("memstore: load: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	e := s.live(id, now)
	if e == nil {
		return session.Record{}, false, nil
	}
	engineNow := orNow(t.Now, now)
	if !engineNow.Before(e.deadline) {
		delete(s.entries, id)
		return session.Record{}, false, nil
	}
	remaining := e.expires.Sub(now)
	if ttl := session.TTL(engineNow, e.deadline, t.Idle); ttl-remaining > t.Interval {
		e.expires, remaining = now.Add(ttl), ttl
	}
	values := make(map[string][]byte, len(e.values))
	for k, v := range e.values {
		values[k] = []byte(v)
	}
	return session.Record{Created: e.created, Deadline: e.deadline, TTL: remaining, Values: values}, true, nil
}

// Save applies ch to the session under id. A Create replaces whatever id
// held; a Create whose lifetime is already over (less than a millisecond,
// the Redis granularity) changes nothing. Any other change returns
// session.ErrNotFound when the session is missing or expired, and when its
// deadline has passed on the engine's clock (ch.Now), in which case the
// session is removed. A change that would make the values (len(name) +
// len(value) summed, metadata excluded) exceed ch.MaxSize returns
// session.ErrTooLarge and writes nothing. Like the Redis store, Save refuses
// the reserved names "@c" and "@d" with session.ErrInvalidKey and an idle
// timeout under a millisecond with session.ErrInvalidOption.
func (s *Store) Save(ctx context.Context, id string, ch session.Change) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: save: %w", err)
	}
	if ch.Idle < time.Millisecond {
		return fmt.Errorf("memstore: save: idle timeout %v is below 1ms: %w", ch.Idle, session.ErrInvalidOption)
	}
	if err := checkNames(ch); err != nil {
		return fmt.Errorf("memstore: save: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock()
	engineNow := orNow(ch.Now, now)
	if ch.Create {
		return s.create(id, ch, now, engineNow)
	}
	e := s.live(id, now)
	if e == nil {
		return fmt.Errorf("memstore: save: %w", session.ErrNotFound)
	}
	ttl := session.TTL(engineNow, e.deadline, ch.Idle)
	if ttl <= 0 { // past the deadline
		delete(s.entries, id)
		return fmt.Errorf("memstore: save: %w", session.ErrNotFound)
	}
	if ch.MaxSize > 0 && sizeAfter(e.values, ch) > ch.MaxSize {
		return fmt.Errorf("memstore: save: %w", session.ErrTooLarge)
	}
	// Deletes first, then sets, in the order the Redis script runs HDEL and HSET.
	for _, k := range ch.Delete {
		delete(e.values, k)
	}
	for k, v := range ch.Set {
		e.values[strings.Clone(k)] = string(v) // k may point into a reused request buffer (fasthttp)
	}
	e.expires = now.Add(ttl)
	s.saved(now)
	return nil
}

func (s *Store) create(id string, ch session.Change, now, engineNow time.Time) error {
	deadline := toMilli(ch.Deadline)
	ttl := session.TTL(engineNow, deadline, ch.Idle)
	if ttl < time.Millisecond {
		return nil // born expired: nothing to keep (the Redis store sends nothing)
	}
	if ch.MaxSize > 0 && sizeAfter(nil, ch) > ch.MaxSize {
		return fmt.Errorf("memstore: save: %w", session.ErrTooLarge)
	}
	values := make(map[string]string, len(ch.Set))
	for k, v := range ch.Set {
		values[strings.Clone(k)] = string(v)
	}
	s.entries[id] = &entry{created: toMilli(ch.Created), deadline: deadline, expires: now.Add(ttl), values: values}
	s.saved(now)
	return nil
}

// Delete removes the session under id; a missing session is not an error.
func (s *Store) Delete(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: delete: %w", err)
	}
	s.mu.Lock()
	delete(s.entries, id)
	s.mu.Unlock()
	return nil
}

// Ping returns nil unless ctx is done: an in-process store is always there.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: ping: %w", err)
	}
	return nil
}

// Len reports how many sessions the store holds, counting expired ones it
// has not removed yet. It is meant for tests.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.entries)
}

// live returns the entry under id, removing it if it has expired at now.
// The caller holds s.mu.
func (s *Store) live(id string, now time.Time) *entry {
	e := s.entries[id]
	if e == nil {
		return nil
	}
	if !now.Before(e.expires) {
		delete(s.entries, id)
		return nil
	}
	return e
}

// saved counts a write and sweeps out expired sessions every so often.
// The caller holds s.mu.
func (s *Store) saved(now time.Time) {
	s.saves++
	if s.saves < s.sweepAt {
		return
	}
	for id, e := range s.entries {
		if !now.Before(e.expires) {
			delete(s.entries, id)
		}
	}
	s.saves, s.sweepAt = 0, max(minSweep, len(s.entries))
}

// sizeAfter is the size of the values once ch is applied to values.
func sizeAfter(values map[string]string, ch session.Change) int {
	size := 0
	for k, v := range ch.Set {
		size += len(k) + len(v)
	}
	if len(values) == 0 {
		return size
	}
	gone := make(map[string]bool, len(ch.Delete))
	for _, k := range ch.Delete {
		gone[k] = true
	}
	for k, v := range values {
		if _, replaced := ch.Set[k]; !replaced && !gone[k] {
			size += len(k) + len(v)
		}
	}
	return size
}

func checkNames(ch session.Change) error {
	for k := range ch.Set {
		if k == createdField || k == deadlineField {
			return fmt.Errorf("reserved field %q: %w", k, session.ErrInvalidKey)
		}
	}
	for _, k := range ch.Delete {
		if k == createdField || k == deadlineField {
			return fmt.Errorf("reserved field %q: %w", k, session.ErrInvalidKey)
		}
	}
	return nil
}

// orNow returns t, or now when the caller left t zero.
func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t
}

// toMilli drops what the Redis layout cannot hold (unix ms decimal).
func toMilli(t time.Time) time.Time {
	return time.UnixMilli(t.UnixMilli())
}
