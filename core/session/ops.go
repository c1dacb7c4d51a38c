package session

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The same-key operations. Set and Delete are last-writer-wins per key;
// these change one key atomically in the store, so concurrent requests
// that change the same key lose nothing: Incr for counters, Append and Pop
// for lists (flash messages), Update for any value (compare-and-set). On a
// stored session they run at once, in the store, one round trip each; on a
// new or degraded session, which no other request can see, they work on
// the request's own state and are saved by Commit like Set.

// maxUpdateAttempts bounds Update's compare-and-set retries; between them
// it backs off for a random time below conflictBackoff(attempt), so that
// many requests racing for one key take turns instead of colliding again.
const maxUpdateAttempts = 64

// Incr adds delta to the integer under key (absent counts as 0), atomically
// in the store, and returns the new value. The value reads back with
// Get[int64] or Get[int] in every codec. A key holding an integer written
// by Set is converted; one holding anything else gives ErrDecode.
func Incr(s *Session, key string, delta int64) (int64, error) {
	if err := checkKey(key); err != nil {
		return 0, err
	}
	if err := s.lockChange(); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	if err := s.flush(key); err != nil {
		return 0, err
	}
	for attempt := 0; !s.local(); attempt++ {
		if attempt == maxUpdateAttempts {
			return 0, fmt.Errorf("session: incr %q: %w", key, ErrConflict)
		}
		n, err := s.m.store.Incr(s.ctx, s.hashedToken(), key, delta, s.rules())
		if nc := (*NotCounterError)(nil); errors.As(err, &nc) {
			// An integer stored by Set: convert it with compare-and-set.
			if n, err = s.addToCounter(key, nc.Value, delta); err != nil {
				return 0, err
			}
			var swapped bool
			_, swapped, err = s.m.store.Swap(s.ctx, s.hashedToken(), key, nc.Value, counter(n), s.rules())
			if err == nil && !swapped {
				if err := backOff(s.ctx, attempt); err != nil {
					return 0, fmt.Errorf("session: incr %q: %w", key, err)
				}
				continue // changed meanwhile
			}
		}
		if err != nil {
			if err := s.opFailed("incr", err); err != nil {
				return 0, err
			}
			continue // the session is local now
		}
		s.cache(key, counter(n))
		return n, nil
	}
	v, err := s.raw(key)
	if err != nil {
		return 0, err
	}
	n, err := s.addToCounter(key, v, delta)
	if err != nil {
		return 0, err
	}
	return n, s.put(key, counter(n))
}

// counter is the stored form of a counter.
func counter(n int64) []byte { return strconv.AppendInt(nil, n, 10) }

// addToCounter decodes v (nil: 0) as an int64 and adds delta.
func (s *Session) addToCounter(key string, v []byte, delta int64) (int64, error) {
	var n int64
	if v != nil {
		if err := s.m.decode(key, v, &n); err != nil {
			return 0, err
		}
	}
	if delta > 0 && n > math.MaxInt64-delta || delta < 0 && n < math.MinInt64-delta {
		return 0, fmt.Errorf("session: incr %q: %w: integer overflow", key, ErrDecode)
	}
	return n + delta, nil
}

// Append adds v to the end of the list under key, for flash messages and
// other logs. Concurrent appends all land, in some order. It writes at
// Commit, atomically in the store, and does not load the session. A value
// of another kind under key becomes the list's first element. Read the
// list with Get or Pop into a slice: Pop[[]string](s, "flash").
func Append(s *Session, key string, v any) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if s.m == nil {
		return ErrNoSession
	}
	enc, err := s.m.encode(key, v)
	if err != nil {
		return err
	}
	if err := s.lockChange(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if old, ok := s.set[key]; ok {
		return s.put(key, AppendList(old, enc))
	}
	if _, ok := s.del[key]; ok {
		return s.put(key, AppendList(nil, enc))
	}
	key = strings.Clone(key)
	if s.appends == nil {
		s.appends = map[string][][]byte{}
	}
	s.appends[key] = append(s.appends[key], enc)
	if err := s.checkLimits(); err != nil {
		s.appends[key] = s.appends[key][:len(s.appends[key])-1]
		if len(s.appends[key]) == 0 {
			delete(s.appends, key)
		}
		return fmt.Errorf("session: append %q: %w", key, err)
	}
	return nil
}

// Pop removes the value under key and returns it decoded as a T, atomically
// in the store: of concurrent requests popping one key, exactly one gets
// the value. It returns an error wrapping ErrNoValue when there is none.
// A list (see Append) pops whole into a slice:
//
//	msgs, err := session.Pop[[]string](s, "flash")
func Pop[T any](s *Session, key string) (T, error) {
	var v T
	if err := checkKey(key); err != nil {
		return v, err
	}
	if err := s.lockChange(); err != nil {
		return v, err
	}
	defer s.mu.Unlock()
	raw, err := s.pop(key)
	if err != nil {
		return v, err
	}
	if raw == nil {
		return v, fmt.Errorf("session: pop %q: %w", key, ErrNoValue)
	}
	return v, s.m.decode(key, raw, &v)
}

// pop takes the raw value under key. The caller holds s.mu.
func (s *Session) pop(key string) ([]byte, error) {
	if err := s.flush(key); err != nil {
		return nil, err
	}
	for !s.local() {
		v, err := s.m.store.Pop(s.ctx, s.hashedToken(), key, s.rules())
		if err != nil {
			if err := s.opFailed("pop", err); err != nil {
				return nil, err
			}
			continue
		}
		if s.values != nil {
			delete(s.values, key)
		}
		return v, nil
	}
	v, err := s.raw(key)
	if err != nil || v == nil {
		return nil, err
	}
	s.remove(key)
	return v, nil
}

// Update replaces the value under key with fn's result, atomically in the
// store by compare-and-set on the stored bytes: when another request
// changed the key meanwhile, fn runs again on the new value, up to 64 times
// with a random back-off (up to 100 ms) between them,
// then Update gives up with ErrConflict. fn gets the zero T when the key
// is absent; its error aborts the update and is returned. fn must not call
// the session's methods. It returns the stored result.
func Update[T any](s *Session, key string, fn func(T) (T, error)) (T, error) {
	var zero T
	if err := checkKey(key); err != nil {
		return zero, err
	}
	if err := s.lockChange(); err != nil {
		return zero, err
	}
	defer s.mu.Unlock()
	if err := s.flush(key); err != nil {
		return zero, err
	}
	cur, err := s.raw(key)
	if err != nil {
		return zero, err
	}
	for attempt := range maxUpdateAttempts {
		var old T
		if cur != nil {
			if err := s.m.decode(key, cur, &old); err != nil {
				return zero, err
			}
		}
		next, err := fn(old)
		if err != nil {
			return zero, err
		}
		enc, err := s.m.encode(key, next)
		if err != nil {
			return zero, err
		}
		if s.local() {
			return next, s.put(key, enc)
		}
		got, swapped, err := s.m.store.Swap(s.ctx, s.hashedToken(), key, cur, enc, s.rules())
		switch {
		case err != nil:
			if err := s.opFailed("update", err); err != nil {
				return zero, err
			}
			cur, _ = s.raw(key) // local now: start over on the fresh session
		case swapped:
			s.cache(key, enc)
			return next, nil
		default:
			cur = got
			if err := backOff(s.ctx, attempt); err != nil {
				return zero, fmt.Errorf("session: update %q: %w", key, err)
			}
		}
	}
	return zero, fmt.Errorf("session: update %q: %w", key, ErrConflict)
}

// backOff waits a random time below 2^attempt ms, capped at 100 ms, or
// until ctx ends. Racing requests that all learned the new value from
// their failed swaps would otherwise retry together, and only one of them
// can win each round.
func backOff(ctx context.Context, attempt int) error {
	limit := min(time.Millisecond<<min(attempt, 7), 100*time.Millisecond)
	t := time.NewTimer(rand.N(limit) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// local reports whether the session lives only in this request: new (no
// stored session yet) or degraded. The caller holds s.mu.
func (s *Session) local() bool {
	return s.token == "" || s.status == StatusDegraded
}

// flush saves the pending changes before a same-key operation on key, when
// one of them concerns key, so the operation sees them. The caller holds s.mu.
func (s *Session) flush(key string) error {
	_, set := s.set[key]
	_, del := s.del[key]
	_, app := s.appends[key]
	if s.local() || !set && !del && !app {
		return nil
	}
	err := s.m.store.Save(s.ctx, s.hashedToken(), s.change(), s.rules())
	if err != nil {
		return s.opFailed("save", err)
	}
	s.applied()
	return nil
}

// opFailed handles a store error of a same-key operation. A session that
// is gone continues as a new one (nil: go on locally); an unreachable store
// turns the session degraded in degraded mode (nil) and otherwise fails the
// request; ErrRenewed fails it too.
func (s *Session) opFailed(op string, err error) error {
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrCorrupt):
		s.startFresh()
		return nil
	case errors.Is(err, ErrUnavailable) && s.m.cfg.degraded:
		s.m.cfg.logger.Error("session: store unreachable, serving a degraded session", "error", err)
		s.startFresh()
		s.status = StatusDegraded
		return nil
	case errors.Is(err, ErrRenewed):
		s.superseded = true
	}
	err = fmt.Errorf("session: %s: %w", op, err)
	if !errors.Is(err, ErrTooLarge) {
		s.failed = err
	}
	return err
}

// cache records a value the store now holds, for later reads in this request.
func (s *Session) cache(key string, v []byte) {
	if s.values != nil {
		s.values[strings.Clone(key)] = v
	}
}
