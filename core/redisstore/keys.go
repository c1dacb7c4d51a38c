package redisstore

import (
	"fmt"
	"strings"

	"github.com/sesskit/sesskit/core/session"
)

// Tools that read the keys themselves (cmd/sesskit: stats, inspect) use
// what follows rather than a copy of the layout, so the layout stays
// defined in one place.

// KeyKind is what one of a Store's keys holds.
type KeyKind int

// The kinds of keys a Store writes (see layout.go).
const (
	KeyOther     KeyKind = iota // under the prefix, but not a key the store writes
	KeySession                  // a session hash, or the marker a renewed session leaves
	KeyRemember                 // a remember-me token
	KeyUserIndex                // a user's index of sessions and remember-me tokens
)

// String returns "session", "remember", "user-index" or "other".
func (k KeyKind) String() string {
	switch k {
	case KeySession:
		return "session"
	case KeyRemember:
		return "remember"
	case KeyUserIndex:
		return "user-index"
	}
	return "other"
}

// Prefix returns the prefix of every key of the store (WithPrefix).
func (s *Store) Prefix() string { return s.prefix }

// Pattern returns the SCAN MATCH pattern of every key under the prefix:
// the prefix with glob characters escaped, then "*".
func (s *Store) Pattern() string {
	var b strings.Builder
	for _, c := range s.prefix {
		if strings.ContainsRune(`*?[]\^`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String() + "*"
}

// KeyOf returns the key holding the session or remember-me token of a
// handle (session.Device.Handle), or an error wrapping ErrInvalidID for
// anything that is not a handle.
func (s *Store) KeyOf(handle string) (string, error) {
	key, _, err := s.handleKey(handle)
	if err != nil {
		return "", fmt.Errorf("redisstore: key of handle: %w", err)
	}
	return key, nil
}

// ParseKey tells what key holds. For a session or a remember-me token it
// also returns the handle (what Describe, Revoke and KeyOf take).
func (s *Store) ParseKey(key string) (kind KeyKind, handle string) {
	rest, ok := strings.CutPrefix(key, s.prefix)
	if !ok {
		return KeyOther, ""
	}
	switch {
	case validID(rest):
		return KeySession, rest
	case strings.HasPrefix(rest, rememberInfix) && validID(rest[len(rememberInfix):]):
		return KeyRemember, "r" + rest[len(rememberInfix):]
	case strings.HasPrefix(rest, indexInfix) && validID(rest[len(indexInfix):]):
		return KeyUserIndex, ""
	}
	return KeyOther, ""
}

// ParseSession reads a session hash as HGETALL returns it: the record, or
// renewed true for the marker a renewed session leaves (which holds no
// session). A hash that does not follow the layout is an error wrapping
// session.ErrCorrupt.
func ParseSession(h map[string]string) (rec session.Record, renewed bool, err error) {
	return parseRecord("parse", h)
}
