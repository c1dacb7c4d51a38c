package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Remember-me tokens are split (OWASP, "persistent login"): a selector
// that finds the token and a validator that proves it, in the cookie as
// "selector.validator". The store keeps only SHA-256 of the selector (as
// the token's ID) and of the validator, so neither a dump nor a MONITOR
// log gives a usable cookie. The validator changes on every use; the old
// one coming back later means the cookie was copied, and then every
// session and token of the user is revoked.
const (
	selectorBytes  = 16
	validatorBytes = 32
)

// Remember asks for a remember-me token at Commit, for the user the
// session records then (call it at login, after SetUser). It needs
// WithRememberMe. The token goes out in its own cookie and shows in the
// user's Devices; Destroy revokes it.
func (s *Session) Remember() error {
	if err := s.lockChange(); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.m.cfg.remember == 0 {
		return fmt.Errorf("%w: Remember needs WithRememberMe", ErrInvalidOption)
	}
	s.remember = true
	return nil
}

// rememberHandle is the handle of the remember-me token with this ID.
func rememberHandle(id string) string { return "r" + id }

// hash is SHA-256 in unpadded base64url.
func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomText(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseRemember splits a cookie value into the token's ID and validator;
// ok is false for anything not shaped like one.
func parseRemember(v string) (id, validator string, ok bool) {
	selector, validator, found := strings.Cut(v, ".")
	if !found || len(selector) != 22 || len(validator) != 43 || !b64(selector) || !b64(validator) {
		return "", "", false
	}
	return hash(selector), validator, true
}

func b64(s string) bool {
	for i := 0; i < len(s); i++ {
		if b64index(s[i]) < 0 {
			return false
		}
	}
	return true
}

// issueRemember stores a new remember-me token for user and sends its
// cookie. Its index entry is added by the caller, with the session's.
func (s *Session) issueRemember(ctx context.Context, id, selector, user string) error {
	c := &s.m.cfg
	now := c.now()
	validator := randomText(validatorBytes)
	rec := RememberRecord{Validator: hash(validator), User: user, Label: s.label, Created: now, Expires: now.Add(c.remember)}
	if s.newLabel != nil { // not committed yet (a session created at login has committed it to s.label)
		rec.Label = *s.newLabel
	}
	if err := s.m.users.SaveRemember(ctx, id, rec); err != nil {
		return fmt.Errorf("session: remember: %w", err)
	}
	s.sendRemember(selector+"."+validator, rec.Expires)
	return nil
}

// newRemember prepares a token: its ID, selector, and index entry.
func (s *Session) newRemember() (id, selector string, entry IndexEntry) {
	selector = randomText(selectorBytes)
	id = hash(selector)
	return id, selector, IndexEntry{Handle: rememberHandle(id), Deadline: s.m.cfg.now().Add(s.m.cfg.remember)}
}

func (s *Session) sendRemember(value string, expires time.Time) {
	c := &s.m.cfg
	s.carrier.AddHeader("Set-Cookie", c.rememberCookie.issue(value, c.now(), expires, true))
}

func (s *Session) clearRemember() {
	s.carrier.AddHeader("Set-Cookie", s.m.cfg.rememberCookie.expire())
}

// restore logs a visitor with no live session back in from their
// remember-me cookie: the session stays New, with the user recorded, and is
// created at Commit (as after a login). The caller holds s.mu; s is New.
func (s *Session) restore(ctx context.Context) error {
	if s.rememberTried || s.rememberToken == "" || s.m.users == nil {
		return nil
	}
	s.rememberTried = true
	id, validator, ok := parseRemember(s.rememberToken)
	if !ok {
		s.clearRemember()
		s.rememberToken = ""
		return nil
	}
	next := randomText(validatorBytes)
	rec, outcome, err := s.m.users.UseRemember(ctx, id, hash(validator), hash(next), s.m.cfg.now())
	if err != nil {
		return fmt.Errorf("session: remember: %w", err)
	}
	switch outcome {
	case RememberOK:
		selector, _, _ := strings.Cut(s.rememberToken, ".")
		s.sendRemember(selector+"."+next, rec.Expires)
	case RememberRecent:
		// Rotated a moment ago, most likely by a request this browser sent
		// at the same time, whose answer carries the new cookie: serve this
		// one anonymously and leave the cookies alone. A copy gets nothing
		// either, and once the grace is over it revokes everything.
		return nil
	case RememberStolen:
		s.m.cfg.logger.Warn("session: a rotated remember-me token came back: revoking every session of its user")
		s.m.observe(ctx, EventStolen)
		if _, err := s.m.RevokeAll(ctx, rec.User); err != nil {
			return fmt.Errorf("session: remember: %w", err)
		}
		s.clearRemember()
		s.rememberToken = ""
		return nil
	default:
		s.clearRemember()
		s.rememberToken = ""
		return nil
	}
	user, label := rec.User, rec.Label
	s.newUser, s.newLabel, s.restored = &user, &label, true
	s.m.observe(ctx, EventRestored)
	return nil
}

// forgetRemember revokes the remember-me token the client presented, on
// Destroy; the caller expires its cookie.
func (s *Session) forgetRemember(ctx context.Context) error {
	token := s.rememberToken
	s.rememberToken = ""
	if token == "" || s.m.users == nil {
		return nil
	}
	id, _, ok := parseRemember(token)
	if !ok {
		return nil
	}
	if err := s.m.users.Revoke(ctx, []string{rememberHandle(id)}); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("session: destroy: %w", err)
	}
	return nil
}
