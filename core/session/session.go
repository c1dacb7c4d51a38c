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

// legacyUserKey is where sessions written before the user became metadata
// keep it, as a codec value.
const legacyUserKey = "@user"

// Session is the session of one request. Reads load it from the store on
// first use; writes are collected and saved as a delta by Commit; the
// same-key operations (Incr, Pop, Update) apply at once, atomically, in the
// store. Its methods are safe for concurrent use by the request's goroutines.
type Session struct {
	m       *Manager
	ctx     context.Context
	carrier Carrier

	mu         sync.Mutex
	token      string // valid token of the stored session, "" when New
	id         string // storeID(token), computed once
	presented  string // the valid token the client sent, kept for Destroy whatever the load found
	sentToken  bool   // the client sent a token (valid or not)
	viaHeader  bool   // answer in the token header instead of a cookie
	accessed   bool   // any method looked at the session
	loaded     bool
	loadErr    error
	failed     error // a store failure outside Commit (Destroy, Incr...) that fails the request
	status     Status
	superseded bool // the client's token was renewed by another request: never answer a token
	created    time.Time
	deadline   time.Time // effective: capped by created + absolute timeout
	touched    time.Time
	user       string
	values     map[string][]byte   // stored values, once loaded
	set        map[string][]byte   // pending writes
	del        map[string]struct{} // pending deletes
	appends    map[string][][]byte // pending list appends
	newUser    *string             // pending SetUser
	label      string              // the stored device label
	newLabel   *string             // pending SetLabel
	restored   bool                // restored from a remember-me token
	life       Lifetime            // the stored session's own lifetime (SetLifetime)
	newLife    *Lifetime           // pending SetLifetime
	renew      bool
	done       bool // committed or discarded
	issued     bool // a token header went out in this request

	rememberToken string // the remember-me cookie the client sent
	rememberTried bool   // restore ran (it runs at most once)
	remember      bool   // Remember asked for a token at Commit
}

// startFresh makes s a New session with no values.
func (s *Session) startFresh() {
	now := s.m.cfg.now()
	s.token, s.id, s.loaded, s.loadErr, s.status = "", "", true, nil, StatusNew
	s.created, s.deadline, s.touched = now, now.Add(s.m.cfg.absolute), now
	s.values, s.user, s.label, s.restored, s.life = nil, "", "", false, Lifetime{}
}

// load fetches the stored session on first use, and restores a visitor
// with no live session from their remember-me cookie. The caller holds
// s.mu.
func (s *Session) load(ctx context.Context) error {
	if !s.loaded {
		s.fetch(ctx)
	}
	if s.loadErr == nil && s.status == StatusNew && !s.superseded && !s.done {
		if err := s.restore(ctx); err != nil {
			s.storeDown(err)
		}
	}
	return s.loadErr
}

// storeDown handles a store failure while loading: a degraded session in
// degraded mode, a load error otherwise.
func (s *Session) storeDown(err error) {
	if s.m.cfg.degraded && errors.Is(err, ErrUnavailable) {
		s.m.cfg.logger.Error("session: store unreachable, serving a degraded session", "error", err)
		s.startFresh()
		s.status = StatusDegraded
		s.m.observe(s.ctx, EventDegraded)
		return
	}
	s.loadErr = err
}

// fetch reads the stored session. The caller holds s.mu.
func (s *Session) fetch(ctx context.Context) {
	s.loaded = true
	rec, found, err := s.m.store.Load(ctx, s.hashedToken())
	switch {
	case errors.Is(err, ErrRenewed):
		s.superseded = true
		s.startFresh()
		return
	case errors.Is(err, ErrCorrupt):
		s.m.cfg.logger.Warn("session: corrupt session treated as absent", "error", err)
		s.m.observe(ctx, EventCorrupt)
		found = false
	case err != nil:
		s.storeDown(fmt.Errorf("session: load: %w", err))
		return
	}
	if !found || !s.adopt(rec) {
		if !found {
			s.m.observe(ctx, EventExpired)
		}
		s.startFresh()
	}
}

// adopt makes a loaded record the session's state, or reports that it is
// expired or malformed (see Manager.usable).
func (s *Session) adopt(rec Record) bool {
	deadline, user, ok := s.m.usable(rec, s.m.cfg.now())
	if ok {
		s.status, s.created, s.deadline, s.touched = StatusActive, rec.Created, deadline, rec.Touched
		s.user, s.values, s.label, s.restored, s.life = user, rec.Values, rec.Label, rec.Restored, rec.Lifetime
	}
	return ok
}

// hashedToken is the name of s's stored session, hashed once per request.
func (s *Session) hashedToken() string {
	if s.id == "" {
		s.id = storeID(s.token)
	}
	return s.id
}

// rules are the Manager's rules as of now.
func (s *Session) rules() Rules { return s.m.rules() }

// lock locks s for one public method. It reports ErrNoSession for the
// placeholder FromContext returns without a middleware.
func (s *Session) lock() error {
	if s.m == nil {
		return ErrNoSession
	}
	s.mu.Lock()
	s.accessed = true
	return nil
}

// lockChange is lock for methods that change the session: after Commit
// the change could not reach the client or the store, so it is refused.
func (s *Session) lockChange() error {
	if err := s.lock(); err != nil {
		return err
	}
	if s.done {
		s.mu.Unlock()
		return ErrCommitted
	}
	return nil
}

// Status loads the session if needed and says what backs it.
func (s *Session) Status() (Status, error) {
	if err := s.lock(); err != nil {
		return 0, err
	}
	defer s.mu.Unlock()
	if err := s.load(s.ctx); err != nil {
		return 0, err
	}
	return s.status, nil
}

// Created returns when the session began.
func (s *Session) Created() (time.Time, error) {
	if err := s.lock(); err != nil {
		return time.Time{}, err
	}
	defer s.mu.Unlock()
	err := s.load(s.ctx)
	return s.created, err
}

// Expires returns when the session ends at the latest: its absolute
// deadline, its own lifetime (SetLifetime) included. Without activity it
// ends sooner, after the idle timeout (see Lifetime).
func (s *Session) Expires() (time.Time, error) {
	if err := s.lock(); err != nil {
		return time.Time{}, err
	}
	defer s.mu.Unlock()
	err := s.load(s.ctx)
	return s.expires(), err
}

// raw returns the stored value under key, loading the session only when
// this request has not already written or deleted the key.
func (s *Session) raw(key string) ([]byte, error) {
	if v, ok := s.set[key]; ok {
		return s.withAppends(key, v), nil
	}
	if _, ok := s.del[key]; ok {
		return s.withAppends(key, nil), nil
	}
	if err := s.load(s.ctx); err != nil {
		return nil, err
	}
	return s.withAppends(key, s.values[key]), nil
}

// withAppends is v with this request's pending appends to key; nil when
// there is no value at all.
func (s *Session) withAppends(key string, v []byte) []byte {
	if elems := s.appends[key]; len(elems) > 0 {
		return AppendList(v, elems...)
	}
	return v
}

// Get decodes the value under key into dst, a pointer. It returns an error
// wrapping ErrNoValue when there is none.
func (s *Session) Get(key string, dst any) error {
	if err := s.lock(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if err := checkKey(key); err != nil {
		return err
	}
	return s.get(key, dst)
}

func (s *Session) get(key string, dst any) error {
	v, err := s.raw(key)
	if err != nil {
		return err
	}
	if v == nil {
		return fmt.Errorf("session: get %q: %w", key, ErrNoValue)
	}
	return s.m.decode(key, v, dst)
}

// Has reports whether key holds a value.
func (s *Session) Has(key string) (bool, error) {
	if err := s.lock(); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	if err := checkKey(key); err != nil {
		return false, err
	}
	v, err := s.raw(key)
	return v != nil, err
}

// Keys returns the keys that hold values, sorted.
func (s *Session) Keys() ([]string, error) {
	if err := s.lock(); err != nil {
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
	keys := make(map[string]struct{}, len(s.values)+len(s.set)+len(s.appends))
	for k := range s.values {
		if _, gone := s.del[k]; !gone {
			keys[k] = struct{}{}
		}
	}
	for k := range s.set {
		keys[k] = struct{}{}
	}
	for k := range s.appends {
		keys[k] = struct{}{}
	}
	return keys
}

// User returns the user recorded by SetUser, or "".
func (s *Session) User() (string, error) {
	if err := s.lock(); err != nil {
		return "", err
	}
	defer s.mu.Unlock()
	if s.newUser == nil {
		if err := s.load(s.ctx); err != nil { // may restore from a remember-me token
			return "", err
		}
	}
	if s.newUser != nil {
		return *s.newUser, nil
	}
	return s.user, nil
}

// checkKey refuses keys a store could not hold or that sesskit reserves.
func checkKey(key string) error {
	if key == "" || len(key) > maxKeyLen || key[0] == '@' || !utf8.ValidString(key) {
		return fmt.Errorf("%w: %.40q", ErrInvalidKey, key)
	}
	return nil
}
