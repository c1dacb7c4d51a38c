package redisstore

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// The Redis layout, all of it (layout 2):
//
//	key   = prefix + id          (id: SHA-256 of the token, base64url, 43 chars)
//	type  = HASH
//	"@c"  = created, unix milliseconds, decimal
//	"@d"  = absolute deadline as written, unix milliseconds, decimal
//	"@t"  = last touch: when the TTL was last set, unix milliseconds
//	"@s"  = running size: for each value, len(name) + len(value) + session.FieldOverhead
//	"@n"  = running count of values
//	"@u"  = the user recorded by SetUser (absent when none)
//	"@l"  = the device label recorded by SetLabel (absent when none)
//	"@r"  = "1" when the session was restored from a remember-me token
//	"@i"  = the session's own idle timeout (SetLifetime), milliseconds
//	        (absent: the Manager's)
//	"@a"  = the session's own absolute timeout, milliseconds (absent: the
//	        Manager's); "@d" is then @c + @a, as capped when written
//	other = one field per session value, the bytes as given
//	TTL   = session.TTL(now, min(@d, @c + absolute), idle), set at creation and
//	        whenever a write or touch finds more than the touch interval used;
//	        idle, absolute and the interval are the rules for the session's
//	        own lifetime (session.Rules.For)
//
// A renewed session's key holds only "@m" = "1" for session.RenewGrace: the
// marker that makes calls on the old ID answer session.ErrRenewed.
//
// A user's index, for Devices, Revoke and the session limit:
//
//	key   = prefix + "u:" + SHA-256(user), base64url
//	type  = ZSET of handles (a session's ID; "r" + a remember-me token's ID),
//	        scored by deadline (unix ms): fixed, so touches never update it
//	TTL   = its latest deadline (PEXPIREAT); entries past their deadline
//	        are removed by every Index call, entries of sessions that ended
//	        early (idle, logout elsewhere) when a listing meets them
//
// A remember-me token:
//
//	key   = prefix + "r:" + id   (id: SHA-256 of the selector, base64url)
//	type  = HASH  v = SHA-256 of the validator, p/pu = the previous one and
//	        until when it is accepted (unix ms), u = user, l = label,
//	        c = created, e = expires (unix ms)
//	TTL   = until e (PEXPIREAT)
//
// Sessions with "@i" or "@a" are unreadable to sesskit releases before
// SetLifetime (they take the fields for values that do not decode).
//
// Layout 1 (sesskit 0.1) had only "@c" and "@d" and kept the user as the
// value "@user". Such sessions load as they are; their first change counts
// the hash once (@s, @n) and moves on to layout 2. The running size and @t
// are what make every change O(changed fields): no script reads the whole
// hash, and reads are a plain HGETALL.
const (
	fieldCreated  = "@c"
	fieldDeadline = "@d"
	fieldTouched  = "@t"
	fieldSize     = "@s"
	fieldCount    = "@n"
	fieldUser     = "@u"
	fieldLabel    = "@l"
	fieldRestored = "@r"
	fieldIdle     = "@i"
	fieldAbsolute = "@a"
	fieldRenewed  = "@m"
)

// What follows the prefix in the keys that are not sessions (see above).
const (
	indexInfix    = "u:" // a user's index
	rememberInfix = "r:" // a remember-me token
)

// idLen is the length of an unpadded base64url SHA-256 digest.
const idLen = 43

// key returns the Redis key for id, refusing ids that are not a hashed
// token so that a raw token or arbitrary input can never become a key.
func (s *Store) key(id string) (string, error) {
	if !validID(id) {
		return "", ErrInvalidID
	}
	return s.prefix + id, nil
}

func validID(id string) bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// metadata reports whether name is a field the store keeps for itself.
// Other names starting with '@' ("@user" of layout 1) are values.
func metadata(name string) bool {
	switch name {
	case fieldCreated, fieldDeadline, fieldTouched, fieldSize, fieldCount, fieldUser, fieldLabel, fieldRestored, fieldRenewed,
		fieldIdle, fieldAbsolute:
		return true
	}
	return false
}

// parseRecord turns a session hash into a Record; renewed reports the
// marker of a renewed session. Anything that does not follow the layout is
// ErrCorrupt.
func parseRecord(op string, h map[string]string) (rec session.Record, renewed bool, err error) {
	if _, ok := h[fieldRenewed]; ok {
		return rec, true, nil
	}
	rec.Values = make(map[string][]byte, len(h))
	var created, deadline bool
	for name, value := range h {
		switch name {
		case fieldCreated:
			rec.Created, created = parseMillis(value)
		case fieldDeadline:
			rec.Deadline, deadline = parseMillis(value)
		case fieldTouched:
			rec.Touched, _ = parseMillis(value)
		case fieldUser:
			rec.User = value
		case fieldLabel:
			rec.Label = value
		case fieldRestored:
			rec.Restored = value == "1"
		case fieldIdle:
			rec.Lifetime.Idle = parseDuration(value)
		case fieldAbsolute:
			rec.Lifetime.Absolute = parseDuration(value)
		case fieldSize, fieldCount:
		default:
			rec.Values[name] = []byte(value)
		}
	}
	if !created || !deadline {
		return session.Record{}, false, fmt.Errorf("redisstore: %s: metadata fields %s/%s missing or unreadable: %w", op, fieldCreated, fieldDeadline, session.ErrCorrupt)
	}
	return rec, false, nil
}

// parseMillis accepts what the scripts accept: 1 to 18 decimal digits, no
// sign, so Go and Lua agree on which sessions are corrupt.
func parseMillis(s string) (time.Time, bool) {
	if len(s) == 0 || len(s) > 18 {
		return time.Time{}, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	ms, err := strconv.ParseInt(s, 10, 64)
	return time.UnixMilli(ms), err == nil
}

// parseDuration reads a lifetime field, milliseconds; the scripts, like
// it, take an unreadable one for absent (0: the Manager's timeout).
func parseDuration(s string) time.Duration {
	if t, ok := parseMillis(s); ok {
		return time.Duration(t.UnixMilli()) * time.Millisecond
	}
	return 0
}

// pairs turns a flat HGETALL-style reply into a map.
func pairs(reply []any) (map[string]string, bool) {
	if len(reply)%2 != 0 {
		return nil, false
	}
	h := make(map[string]string, len(reply)/2)
	for i := 0; i < len(reply); i += 2 {
		name, ok := reply[i].(string)
		value, ok2 := reply[i+1].(string)
		if !ok || !ok2 {
			return nil, false
		}
		h[name] = value
	}
	return h, true
}
