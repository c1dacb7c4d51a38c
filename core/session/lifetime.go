package session

import (
	"fmt"
	"time"
)

// SetLifetime gives this session its own idle and absolute timeouts, for
// the scs-style "keep me logged in on this device" an application may want
// instead of remember-me tokens: a zero argument keeps the Manager's
// timeout. Neither may pass the Manager's ceiling (WithMaxLifetime, by
// default its own timeouts); beyond it, or negative, SetLifetime returns an
// error wrapping ErrLifetime and changes nothing.
//
// The lifetime is stored with the session, so every instance honours it:
// the idle timeout of each touch, and the absolute deadline, counted from
// when the session began (from the commit, for a login: Renew with
// SetUser). A renewed session keeps its lifetime. While a session has one
// of its own, its cookie is persistent (Max-Age: what is left until the
// absolute deadline), even with WithBrowserSessionCookie; SetLifetime(0, 0)
// returns it to the Manager's rules. It takes effect at Commit; a session
// the request has not read is read then, once, to learn its creation time
// and user.
func (s *Session) SetLifetime(idle, absolute time.Duration) error {
	if s.m == nil {
		return ErrNoSession
	}
	l, err := s.m.lifetime(idle, absolute)
	if err != nil {
		return err
	}
	if err := s.lockChange(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.newLife = &l
	return nil
}

// Lifetime returns the session's idle and absolute timeouts: its own
// (SetLifetime, pending ones included), within the Manager's ceilings, or
// the Manager's.
func (s *Session) Lifetime() (idle, absolute time.Duration, err error) {
	if err := s.lock(); err != nil {
		return 0, 0, err
	}
	defer s.mu.Unlock()
	err = s.load(s.ctx)
	r := s.ownRules()
	return r.Idle, r.Absolute, err
}

// lifetime checks the timeouts SetLifetime asks for against the ceilings.
func (m *Manager) lifetime(idle, absolute time.Duration) (Lifetime, error) {
	check := func(name string, d, ceiling time.Duration) error {
		switch {
		case d < 0 || d > 0 && d < time.Millisecond:
			return fmt.Errorf("%w: %s timeout %v", ErrLifetime, name, d)
		case d > ceiling:
			return fmt.Errorf("%w: %s timeout %v is beyond the ceiling %v", ErrLifetime, name, d, ceiling)
		}
		return nil
	}
	if err := check("idle", idle, m.cfg.maxIdle); err != nil {
		return Lifetime{}, err
	}
	if err := check("absolute", absolute, m.cfg.maxAbsolute); err != nil {
		return Lifetime{}, err
	}
	return Lifetime{Idle: idle.Truncate(time.Millisecond), Absolute: absolute.Truncate(time.Millisecond)}, nil
}

// ownLifetime is the session's own lifetime as Commit will leave it. The
// caller holds s.mu.
func (s *Session) ownLifetime() Lifetime {
	if s.newLife != nil {
		return *s.newLife
	}
	return s.life
}

// ownRules are the rules of this session, its own lifetime applied. The
// caller holds s.mu.
func (s *Session) ownRules() Rules { return s.rules().For(s.ownLifetime()) }

// expires is the absolute deadline as Commit will leave it. The caller
// holds s.mu.
func (s *Session) expires() time.Time {
	if s.newLife == nil {
		return s.deadline
	}
	start := s.created
	if s.renew && s.newUser != nil && *s.newUser != "" {
		start = s.m.cfg.now() // a login counts from its commit
	}
	return start.Add(s.ownRules().Absolute)
}
