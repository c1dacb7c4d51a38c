package session

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Status says what backs a Session.
type Status int

const (
	// StatusNew: no stored session backs this one yet; it is saved, under a fresh
	// token, only if the request sets a value.
	StatusNew Status = iota + 1
	// StatusActive: a stored session backs this one.
	StatusActive
	// StatusDegraded: the store could not be reached and degraded mode is on; the
	// session is empty and nothing will be saved.
	StatusDegraded
)

func (s Status) String() string {
	switch s {
	case StatusNew:
		return "new"
	case StatusActive:
		return "active"
	case StatusDegraded:
		return "degraded"
	}
	return "unknown"
}

// maxKeyLen bounds keys; longer ones are refused with ErrInvalidKey.
const maxKeyLen = 256

// userKey holds the user recorded by SetUser. Keys starting with '@' are
// reserved, so no caller can collide with it.
const userKey = "@user"

// Session is the session of one request. Reads load it from the store on
// first use; writes are collected and saved as a delta by Commit. Its
// methods are safe for concurrent use by the request's goroutines.
type Session struct {
	m       *Manager
	ctx     context.Context
	carrier Carrier

	mu        sync.Mutex
	token     string // valid token of the stored session, "" when New
	id        string // storeID(token), computed once
	presented bool   // the client sent a token (valid or not)
	viaHeader bool   // answer in the token header instead of a cookie
	accessed  bool   // any method looked at the session
	loaded    bool
	loadErr   error
	status    Status
	created   time.Time
	deadline  time.Time
	values    map[string][]byte   // stored values, once loaded
	set       map[string][]byte   // pending writes
	del       map[string]struct{} // pending deletes
	renew     bool
	done      bool // committed or discarded
}

// startFresh makes s a New session with no values.
func (s *Session) startFresh() {
	now := s.m.cfg.now()
	s.token, s.id, s.loaded, s.loadErr, s.status = "", "", true, nil, StatusNew
	s.created, s.deadline = now, now.Add(s.m.cfg.absolute)
	s.values = nil
}

// load fetches the stored session on first use. The caller holds s.mu.
func (s *Session) load(ctx context.Context) error {
	if s.loaded {
		return s.loadErr
	}
	s.loaded = true
	cfg := &s.m.cfg
	now := cfg.now()
	rec, found, err := s.m.store.Load(ctx, s.storeID(), Touch{Now: now, Idle: cfg.idle, Interval: cfg.touchInterval})
	switch {
	case errors.Is(err, ErrCorrupt):
		cfg.logger.Warn("session: corrupt session treated as absent", "error", err)
		found = false
	case err != nil && cfg.degraded:
		cfg.logger.Error("session: store unreachable, serving a degraded session", "error", err)
		s.startFresh()
		s.status = StatusDegraded
		return nil
	case err != nil:
		s.loadErr = fmt.Errorf("session: load: %w", err)
		return s.loadErr
	}
	if found && !s.usable(rec, now) {
		found = false
	}
	if !found {
		s.startFresh()
		return nil
	}
	s.status, s.created, s.deadline, s.values = StatusActive, rec.Created, rec.Deadline, rec.Values
	return nil
}

// storeID is the name of s's stored session, hashed once per request.
func (s *Session) storeID() string {
	if s.id == "" {
		s.id = storeID(s.token)
	}
	return s.id
}

// usable reports whether a loaded record is alive and well-formed; a record
// with one bad value is refused whole rather than served in part.
func (s *Session) usable(rec Record, now time.Time) bool {
	if !now.Before(rec.Deadline) || rec.TTL <= 0 {
		return false
	}
	for key, enc := range rec.Values {
		if !s.m.valid(enc) {
			s.m.cfg.logger.Warn("session: corrupt session treated as absent", "error", fmt.Errorf("%w: value %q", ErrCorrupt, key))
			return false
		}
	}
	return true
}

// begin locks s for one public method and reports a misuse error.
func (s *Session) begin() error {
	if s.m == nil {
		return ErrNoSession
	}
	s.mu.Lock()
	s.accessed = true
	return nil
}

// Status loads the session if needed and says what backs it.
func (s *Session) Status() (Status, error) {
	if err := s.begin(); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	if err := s.load(s.ctx); err != nil {
		return 0, err
	}
	return s.status, nil
}

// IsNew reports whether no stored session backed this request: the visitor
// is new, or their token was unknown or expired.
func (s *Session) IsNew() (bool, error) {
	st, err := s.Status()
	return st == StatusNew, err
}

// Created returns when the session began.
func (s *Session) Created() (time.Time, error) {
	if err := s.begin(); err != nil {
		return time.Time{}, err
	}
	defer s.mu.Unlock()
	return s.created, s.load(s.ctx)
}

// raw returns the encoded value under key, loading the session only when
// this request has not already written or deleted the key.
func (s *Session) raw(key string) ([]byte, error) {
	if v, ok := s.set[key]; ok {
		return v, nil
	}
	if _, ok := s.del[key]; ok {
		return nil, ErrNoValue
	}
	if err := s.load(s.ctx); err != nil {
		return nil, err
	}
	if v, ok := s.values[key]; ok {
		return v, nil
	}
	return nil, ErrNoValue
}

// Get decodes the value under key into dst, a pointer. It returns an error
// wrapping ErrNoValue when there is none.
func (s *Session) Get(key string, dst any) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if err := checkKey(key); err != nil {
		return err
	}
	return s.get(key, dst)
}

func (s *Session) get(key string, dst any) error {
	enc, err := s.raw(key)
	if err != nil {
		return wrapKey(key, err)
	}
	return s.m.decode(key, enc, dst)
}

// Has reports whether key holds a value.
func (s *Session) Has(key string) (bool, error) {
	if err := s.begin(); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	if err := checkKey(key); err != nil {
		return false, err
	}
	_, err := s.raw(key)
	if errors.Is(err, ErrNoValue) {
		return false, nil
	}
	return err == nil, err
}

// Set stores v under key. It encodes v now, so an unencodable or oversized
// value is refused here; nothing reaches the store until Commit. Set does
// not load the session.
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
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	return s.put(key, enc)
}

func (s *Session) put(key string, enc []byte) error {
	old, had := s.set[key]
	if s.set == nil {
		s.set = map[string][]byte{}
	}
	s.set[key] = enc
	if s.loaded && s.loadErr == nil && s.size() > s.m.cfg.maxSession {
		if had {
			s.set[key] = old
		} else {
			delete(s.set, key)
		}
		return fmt.Errorf("session: set %q: %w (session limit %d bytes)", key, ErrTooLarge, s.m.cfg.maxSession)
	}
	delete(s.del, key)
	return nil
}

// size is the byte size of the session as Commit would leave it.
func (s *Session) size() int {
	n := 0
	for k, v := range s.values {
		if _, gone := s.del[k]; !gone && s.set[k] == nil {
			n += len(k) + len(v)
		}
	}
	for k, v := range s.set {
		n += len(k) + len(v)
	}
	return n
}

// Delete removes the value under key. It does not load the session.
func (s *Session) Delete(key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.remove(key)
	return nil
}

func (s *Session) remove(key string) {
	delete(s.set, key)
	if s.del == nil {
		s.del = map[string]struct{}{}
	}
	s.del[key] = struct{}{}
}

// Keys returns the keys that hold values, sorted.
func (s *Session) Keys() ([]string, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	if err := s.load(s.ctx); err != nil {
		return nil, err
	}
	keys := slices.Sorted(maps.Keys(s.live()))
	return slices.DeleteFunc(keys, func(k string) bool { return strings.HasPrefix(k, "@") }), nil
}

// live is the set of keys, reserved ones included, as Commit would leave it.
func (s *Session) live() map[string]struct{} {
	keys := make(map[string]struct{}, len(s.values)+len(s.set))
	for k := range s.values {
		if _, gone := s.del[k]; !gone {
			keys[k] = struct{}{}
		}
	}
	for k := range s.set {
		keys[k] = struct{}{}
	}
	return keys
}

// Clear removes every value, the user included; the session itself stays.
func (s *Session) Clear() error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if err := s.load(s.ctx); err != nil {
		return err
	}
	for k := range s.live() {
		s.remove(k)
	}
	return nil
}

// User returns the user recorded by SetUser, or "".
func (s *Session) User() (string, error) {
	if err := s.begin(); err != nil {
		return "", err
	}
	defer s.mu.Unlock()
	var u string
	if err := s.get(userKey, &u); err != nil && !errors.Is(err, ErrNoValue) {
		return "", err
	}
	return u, nil
}

// SetUser records who is logged in; "" removes the record. Call Renew too
// when the user changes (login), so a planted token cannot follow the user.
func (s *Session) SetUser(user string) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if user == "" {
		s.remove(userKey)
		return nil
	}
	enc, err := s.m.encode(userKey, user)
	if err != nil {
		return err
	}
	return s.put(userKey, enc)
}

// Renew gives the session a new token, keeping its values and deadline, and
// makes the old token useless. Call it on login and on any privilege
// change. The switch happens at Commit; ctx is used to load the session now.
func (s *Session) Renew(ctx context.Context) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if err := s.load(ctx); err != nil {
		return err
	}
	s.renew = s.status == StatusActive // a New session gets a fresh token anyway
	return nil
}

// Destroy deletes the stored session now and expires the client's token.
// The Session starts over empty and New: values set afterwards (a "logged
// out" flash, say) are saved under a fresh token.
func (s *Session) Destroy(ctx context.Context) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.token != "" {
		if err := s.m.store.Delete(ctx, s.storeID()); err != nil {
			return fmt.Errorf("session: destroy: %w", err)
		}
	}
	s.startFresh()
	s.set, s.del, s.renew = nil, nil, false
	return nil
}

func checkKey(key string) error {
	if key == "" || len(key) > maxKeyLen || key[0] == '@' || !utf8.ValidString(key) {
		return fmt.Errorf("%w: %.40q", ErrInvalidKey, key)
	}
	return nil
}

func wrapKey(key string, err error) error {
	if errors.Is(err, ErrNoValue) {
		return fmt.Errorf("session: get %q: %w", key, err)
	}
	return err
}
