package memstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

var _ session.UserStore = (*Store)(nil)

// remembered is one remember-me token.
type remembered struct {
	rec      session.RememberRecord
	previous string    // the validator hash before the last rotation
	until    time.Time // when previous stops being accepted (engine clock)
	expires  time.Time // on the store's clock
}

// Index changes user's index: see session.UserStore.
func (s *Store) Index(ctx context.Context, user string, add []session.IndexEntry, drop []string, limit session.Limit, now time.Time) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, unavailable("index", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	index := s.indexes[user]
	next := make(map[string]time.Time, len(index)+len(add))
	for h, d := range index {
		if now.Before(d) {
			next[h] = d
		}
	}
	for _, h := range drop {
		delete(next, h)
	}
	if limit.Max > 0 && limit.Refuse {
		adding := 0
		for _, e := range add {
			if _, had := next[e.Handle]; !had && isSession(e.Handle) {
				adding++
			}
		}
		if adding > 0 && sessions(next)+adding > limit.Max {
			return nil, fmt.Errorf("memstore: index: %w", session.ErrTooManySessions)
		}
	}
	for _, e := range add {
		next[strings.Clone(e.Handle)] = toMilli(e.Deadline)
	}
	var evicted []string
	for limit.Max > 0 && !limit.Refuse && sessions(next) > limit.Max {
		oldest := ""
		for h, d := range next {
			if isSession(h) && (oldest == "" || d.Before(next[oldest]) || d.Equal(next[oldest]) && h < oldest) {
				oldest = h
			}
		}
		delete(next, oldest)
		evicted = append(evicted, oldest)
	}
	if len(next) == 0 {
		delete(s.indexes, user)
	} else {
		s.indexes[strings.Clone(user)] = next
	}
	s.wrote()
	return evicted, nil
}

// Indexed returns the live entries of user's index.
func (s *Store) Indexed(ctx context.Context, user string, now time.Time) ([]session.IndexEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, unavailable("indexed", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []session.IndexEntry
	for h, d := range s.indexes[user] {
		if now.Before(d) {
			out = append(out, session.IndexEntry{Handle: h, Deadline: d})
		}
	}
	return out, nil
}

// Describe returns what is stored under each handle.
func (s *Store) Describe(ctx context.Context, handles []string) ([]session.Device, error) {
	if err := ctx.Err(); err != nil {
		return nil, unavailable("describe", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]session.Device, len(handles))
	for i, h := range handles {
		d := session.Device{Handle: h}
		if id, ok := strings.CutPrefix(h, "r"); ok && !isSession(h) {
			if r := s.liveRemember(id); r != nil {
				d.Found, d.Remembered, d.User, d.Label = true, true, r.rec.User, r.rec.Label
				d.Created, d.LastActive, d.Expires = r.rec.Created, r.rec.Created, r.rec.Expires
			}
		} else if e := s.live(h); e != nil && !e.renewed {
			d.Found, d.User, d.Label, d.Restored = true, e.user, e.label, e.restored
			d.Created, d.LastActive, d.Expires = e.created, e.touched, e.deadline
		}
		out[i] = d
	}
	return out, nil
}

// Revoke deletes the sessions and remember-me tokens under handles.
func (s *Store) Revoke(ctx context.Context, handles []string) error {
	if err := ctx.Err(); err != nil {
		return unavailable("revoke", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, h := range handles {
		if id, ok := strings.CutPrefix(h, "r"); ok && !isSession(h) {
			delete(s.remembered, id)
		} else {
			delete(s.entries, h)
		}
	}
	return nil
}

// SaveRemember stores a remember-me token.
func (s *Store) SaveRemember(ctx context.Context, id string, rec session.RememberRecord) error {
	if err := ctx.Err(); err != nil {
		return unavailable("remember", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec.Created, rec.Expires = toMilli(rec.Created), toMilli(rec.Expires)
	// Lifetime arithmetic on the engine's clock, expiry on the store's.
	s.remembered[strings.Clone(id)] = &remembered{rec: rec, expires: s.clock().Add(rec.Expires.Sub(rec.Created))}
	s.wrote()
	return nil
}

// UseRemember checks and rotates a remember-me token.
func (s *Store) UseRemember(ctx context.Context, id, validator, next string, now time.Time) (session.RememberRecord, session.RememberOutcome, error) {
	if err := ctx.Err(); err != nil {
		return session.RememberRecord{}, 0, unavailable("remember", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.liveRemember(id)
	switch {
	case r == nil || !now.Before(r.rec.Expires):
		return session.RememberRecord{}, session.RememberNotFound, nil
	case r.rec.Validator == validator:
		out := r.rec
		r.previous, r.until, r.rec.Validator = validator, now.Add(session.RememberGrace), next
		s.wrote()
		return out, session.RememberOK, nil
	case r.previous == validator && now.Before(r.until):
		return r.rec, session.RememberRecent, nil
	}
	return r.rec, session.RememberStolen, nil
}

// liveRemember returns the token under id unless it expired. The caller
// holds s.mu.
func (s *Store) liveRemember(id string) *remembered {
	r := s.remembered[id]
	if r != nil && !s.clock().Before(r.expires) {
		delete(s.remembered, id)
		return nil
	}
	return r
}

// isSession tells a session's handle (its 43-character ID) from a
// remember-me token's ("r" and its ID).
func isSession(handle string) bool { return len(handle) == 43 }

func sessions(index map[string]time.Time) int {
	n := 0
	for h := range index {
		if isSession(h) {
			n++
		}
	}
	return n
}

// latest is the last deadline in index.
func latest(index map[string]time.Time) time.Time {
	var t time.Time
	for _, d := range index {
		if d.After(t) {
			t = d
		}
	}
	return t
}
