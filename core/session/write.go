package session

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Set stores v under key. It encodes v now, so an unencodable or oversized
// value is refused here; nothing reaches the store until Commit. Set does
// not load the session. After Commit it returns ErrCommitted.
func (s *Session) Set(key string, v any) error {
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
	return s.put(key, enc)
}

// put records a pending write. Keys are copied: an adapter's request
// buffers (fasthttp's) are reused after the request.
func (s *Session) put(key string, v []byte) error {
	key = strings.Clone(key)
	old, had := s.set[key]
	oldAppends, hadAppends := s.appends[key]
	_, hadDel := s.del[key]
	if s.set == nil {
		s.set = map[string][]byte{}
	}
	s.set[key] = v
	delete(s.appends, key)
	delete(s.del, key)
	if err := s.checkLimits(); err != nil {
		switch {
		case had:
			s.set[key] = old
		default:
			delete(s.set, key)
		}
		if hadAppends {
			s.appends[key] = oldAppends
		}
		if hadDel {
			s.del[key] = struct{}{}
		}
		return fmt.Errorf("session: set %q: %w", key, err)
	}
	return nil
}

// checkLimits reports ErrTooLarge when the session, as Commit would leave
// it, breaks the size or key limits. It can only judge a loaded session;
// the store checks every change anyway.
func (s *Session) checkLimits() error {
	if !s.loaded || s.loadErr != nil {
		return nil
	}
	size, keys := 0, 0
	for k := range s.live() {
		v, _ := s.raw(k)
		size += Size(k, v)
		keys++
	}
	cfg := &s.m.cfg
	switch {
	case size > cfg.maxSession:
		return fmt.Errorf("%w (session limit %d bytes)", ErrTooLarge, cfg.maxSession)
	case keys > cfg.maxKeys:
		return fmt.Errorf("%w (session limit %d values)", ErrTooLarge, cfg.maxKeys)
	}
	return nil
}

// Delete removes the value under key. It does not load the session.
func (s *Session) Delete(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.lockChange(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.remove(key)
	return nil
}

func (s *Session) remove(key string) {
	key = strings.Clone(key)
	delete(s.set, key)
	delete(s.appends, key)
	if s.del == nil {
		s.del = map[string]struct{}{}
	}
	s.del[key] = struct{}{}
}

// Clear removes every value, the user included; the session itself stays.
func (s *Session) Clear() error {
	if err := s.lockChange(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if err := s.load(s.ctx); err != nil {
		return err
	}
	for k := range s.live() {
		s.remove(k)
	}
	none := ""
	s.newUser = &none
	return nil
}

// maxUserLen bounds what SetUser records.
const maxUserLen = 256

// SetUser records who is logged in; "" removes the record. Call Renew in
// the same request when the user changes (login): the renewed session then
// gets a new token and a full absolute lifetime of its own.
func (s *Session) SetUser(user string) error {
	if len(user) > maxUserLen || !utf8.ValidString(user) {
		return fmt.Errorf("%w: user name is not valid UTF-8 of at most %d bytes", ErrInvalidKey, maxUserLen)
	}
	if err := s.lockChange(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	user = strings.Clone(user)
	s.newUser = &user
	return nil
}
