package redisstore

import (
	"fmt"
	"strconv"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// The Redis layout, all of it:
//
//	key   = prefix + id          (id: SHA-256 of the token, base64url, 43 chars)
//	type  = HASH
//	"@c"  = created, unix milliseconds, decimal
//	"@d"  = absolute deadline, unix milliseconds, decimal
//	other = one field per session value, the codec-tagged bytes as given
//	TTL   = session.TTL(now, deadline, idle), set with PEXPIRE
//
// Only "@c" and "@d" are metadata. Other names starting with '@' ("@user")
// are values like any other: the engine reserves the prefix, the store does
// not interpret it.
const (
	fieldCreated  = "@c"
	fieldDeadline = "@d"
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

// reserved reports whether name is a metadata field the engine must not
// set or delete.
func reserved(name string) bool {
	return name == fieldCreated || name == fieldDeadline
}

// valuesSize is the size MaxSize limits: every value field's name plus its
// value, metadata excluded. The change script computes the same sum.
func valuesSize(values map[string][]byte) int {
	n := 0
	for k, v := range values {
		n += len(k) + len(v)
	}
	return n
}

// parseRecord turns the load script's reply, {pttl, {field, value, ...}},
// into a Record. Anything that does not follow the layout is ErrCorrupt.
func parseRecord(reply []any) (session.Record, error) {
	if len(reply) != 2 {
		return session.Record{}, fmt.Errorf("redisstore: load: reply has %d elements: %w", len(reply), session.ErrCorrupt)
	}
	pttl, ok := reply[0].(int64)
	fields, ok2 := reply[1].([]any)
	if !ok || !ok2 || len(fields)%2 != 0 {
		return session.Record{}, fmt.Errorf("redisstore: load: unexpected reply shape: %w", session.ErrCorrupt)
	}
	rec := session.Record{
		TTL:    time.Duration(pttl) * time.Millisecond,
		Values: make(map[string][]byte, len(fields)/2),
	}
	var created, deadline bool
	for i := 0; i < len(fields); i += 2 {
		name, ok := fields[i].(string)
		value, ok2 := fields[i+1].(string)
		if !ok || !ok2 {
			return session.Record{}, fmt.Errorf("redisstore: load: unexpected field type: %w", session.ErrCorrupt)
		}
		switch name {
		case fieldCreated:
			ms, err := parseMillis(value)
			if err != nil {
				return session.Record{}, fmt.Errorf("redisstore: load: field %s: %w", fieldCreated, err)
			}
			rec.Created, created = time.UnixMilli(ms), true
		case fieldDeadline:
			ms, err := parseMillis(value)
			if err != nil {
				return session.Record{}, fmt.Errorf("redisstore: load: field %s: %w", fieldDeadline, err)
			}
			rec.Deadline, deadline = time.UnixMilli(ms), true
		default:
			rec.Values[name] = []byte(value)
		}
	}
	if !created || !deadline {
		return session.Record{}, fmt.Errorf("redisstore: load: metadata fields %s/%s missing: %w", fieldCreated, fieldDeadline, session.ErrCorrupt)
	}
	return rec, nil
}

// parseMillis accepts what the scripts accept: 1 to 18 decimal digits, no
// sign, so Go and Lua agree on which sessions are corrupt.
func parseMillis(s string) (int64, error) {
	if len(s) == 0 || len(s) > 18 {
		return 0, fmt.Errorf("not unix milliseconds: %w", session.ErrCorrupt)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("not unix milliseconds: %w", session.ErrCorrupt)
		}
	}
	return strconv.ParseInt(s, 10, 64)
}
