package session

import (
	"context"
	"errors"
	"fmt"
)

// Commit saves what the request changed and writes the token headers through
// the carrier. Adapters call it once, before the response headers leave;
// later calls do nothing. An unchanged session costs no store call; a
// changed one costs one (a renewed one, two).
//
// It returns the load error of a fail-closed session, so the adapter can
// answer with its error handler instead of a response built on missing data.
func (s *Session) Commit(ctx context.Context) error {
	if s.m == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done {
		return nil
	}
	s.done = true
	switch {
	case s.loadErr != nil:
		return s.loadErr
	case s.status == StatusDegraded:
		return nil
	case s.token != "" && s.renew:
		return s.saveRenewed(ctx)
	case s.token != "":
		return s.saveDelta(ctx)
	default:
		return s.saveNew(ctx)
	}
}

// Discard drops the request's changes: a later Commit writes nothing. The
// middleware calls it when the handler panics, so a failed request leaves
// neither half its changes nor a cookie behind.
func (s *Session) Discard() {
	if s.m == nil {
		return
	}
	s.mu.Lock()
	s.done = true
	s.mu.Unlock()
}

// saveDelta writes only the changed fields. If the stored session vanished
// meanwhile (expired, or destroyed by a concurrent logout) it is not
// recreated: the changes start a new session under a fresh token instead.
// A corrupt stored session (seen only now, as nothing loaded it) is treated
// the same way, as Load would treat it: absent.
func (s *Session) saveDelta(ctx context.Context) error {
	if len(s.set) == 0 && len(s.del) == 0 {
		return nil
	}
	cfg := &s.m.cfg
	err := s.m.store.Save(ctx, s.storeID(), Change{
		Now: cfg.now(), Idle: cfg.idle, Set: s.set, Delete: keysOf(s.del), MaxSize: cfg.maxSession,
	})
	if errors.Is(err, ErrCorrupt) {
		s.m.cfg.logger.Warn("session: corrupt session treated as absent", "error", err)
	}
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrCorrupt) {
		s.startFresh()
		return s.saveNew(ctx)
	}
	if err != nil {
		return fmt.Errorf("session: save: %w", err)
	}
	return nil
}

// saveNew creates the session if the request set anything; otherwise it only
// clears a stale token the client sent.
func (s *Session) saveNew(ctx context.Context) error {
	if len(s.set) == 0 {
		if s.presented && s.accessed {
			s.clearToken()
		}
		return nil
	}
	return s.create(ctx, s.set)
}

// saveRenewed copies the whole session under a fresh token, then deletes the
// old one (two keys, two calls: no multi-key script, no RENAME, so it works
// on Redis Cluster).
func (s *Session) saveRenewed(ctx context.Context) error {
	values := make(map[string][]byte, len(s.values)+len(s.set))
	for k := range s.live() {
		if v, ok := s.set[k]; ok {
			values[k] = v
		} else {
			values[k] = s.values[k]
		}
	}
	old := s.storeID()
	token, err := s.store(ctx, values)
	if err != nil {
		return err
	}
	if err := s.m.store.Delete(ctx, old); err != nil {
		return fmt.Errorf("session: renew: %w", err) // the new session expires unused
	}
	s.sendToken(token)
	return nil
}

// create stores values as a new session under a fresh token and sends it.
func (s *Session) create(ctx context.Context, values map[string][]byte) error {
	token, err := s.store(ctx, values)
	if err == nil {
		s.sendToken(token)
	}
	return err
}

// store saves values as a new session under a fresh token.
func (s *Session) store(ctx context.Context, values map[string][]byte) (string, error) {
	cfg := &s.m.cfg
	token := newToken()
	id := storeID(token)
	err := s.m.store.Save(ctx, id, Change{
		Create: true, Now: cfg.now(), Idle: cfg.idle, Created: s.created, Deadline: s.deadline,
		Set: values, MaxSize: cfg.maxSession,
	})
	if err != nil {
		return "", fmt.Errorf("session: create: %w", err)
	}
	s.token, s.id, s.status = token, id, StatusActive
	return token, nil
}

func (s *Session) sendToken(token string) {
	c := s.m.cfg
	s.carrier.SetHeader("Cache-Control", "no-store")
	if s.viaHeader {
		s.carrier.SetHeader(c.header, token)
		return
	}
	s.carrier.AddHeader("Set-Cookie", c.cookie.issue(token, c.now(), s.deadline))
}

func (s *Session) clearToken() {
	c := s.m.cfg
	s.carrier.SetHeader("Cache-Control", "no-store")
	if s.viaHeader {
		s.carrier.SetHeader(c.header, "")
		return
	}
	s.carrier.AddHeader("Set-Cookie", c.cookie.expire())
}

func keysOf(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
