package redisstore

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/session"
)

var _ session.UserStore = (*Store)(nil)

// indexKey is the key of user's index. The user is hashed: any string is a
// valid user name, and none shows in a key listing.
func (s *Store) indexKey(user string) string {
	sum := sha256.Sum256([]byte(user))
	return s.prefix + indexInfix + base64.RawURLEncoding.EncodeToString(sum[:])
}

// handleKey returns the key of a handle: a session's ID, or "r" and a
// remember-me token's ID. Anything else is refused before Redis.
func (s *Store) handleKey(handle string) (key string, remembered bool, err error) {
	if validID(handle) {
		return s.prefix + handle, false, nil
	}
	if id, ok := strings.CutPrefix(handle, "r"); ok && validID(id) {
		return s.prefix + rememberInfix + id, true, nil
	}
	return "", false, ErrInvalidID
}

// Index changes user's index in one round trip: see session.UserStore.
// With a limit that evicts, it is sent with retries off: a retry after a
// lost reply would not return what the first run evicted.
func (s *Store) Index(ctx context.Context, user string, add []session.IndexEntry, drop []string, limit session.Limit, now time.Time) ([]string, error) {
	args := make([]any, 0, 4+2*len(add)+len(drop))
	refuse := "0"
	if limit.Refuse {
		refuse = "1"
	}
	args = append(args, now.UnixMilli(), limit.Max, refuse, len(add))
	for _, e := range add {
		if _, _, err := s.handleKey(e.Handle); err != nil {
			return nil, fmt.Errorf("redisstore: index: %w", err)
		}
		args = append(args, e.Handle, e.Deadline.UnixMilli())
	}
	for _, h := range drop {
		args = append(args, h)
	}
	reply, err := s.run(ctx, "index", indexScript, s.indexKey(user), args, limit.Max == 0 || limit.Refuse)
	if err != nil {
		return nil, err
	}
	parts, _ := reply.([]any)
	if len(parts) == 0 {
		return nil, fmt.Errorf("redisstore: index: unexpected reply: %w", session.ErrCorrupt)
	}
	if code, _ := parts[0].(int64); code == 1 {
		return nil, fmt.Errorf("redisstore: index: %w", session.ErrTooManySessions)
	}
	var evicted []string
	for _, p := range parts[1:] {
		if h, ok := p.(string); ok {
			evicted = append(evicted, h)
		}
	}
	return evicted, nil
}

// Indexed reads user's live entries with one ZRANGEBYSCORE.
func (s *Store) Indexed(ctx context.Context, user string, now time.Time) ([]session.IndexEntry, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	zs, err := s.rdb.ZRangeByScoreWithScores(ctx, s.indexKey(user), &redis.ZRangeBy{
		Min: "(" + strconv.FormatInt(now.UnixMilli(), 10), Max: "+inf",
	}).Result()
	if err != nil {
		return nil, s.onFailure("indexed", err)
	}
	out := make([]session.IndexEntry, 0, len(zs))
	for _, z := range zs {
		h, _ := z.Member.(string)
		out = append(out, session.IndexEntry{Handle: h, Deadline: time.UnixMilli(int64(z.Score))})
	}
	return out, nil
}

// Describe reads the metadata of every handle in one pipeline: one round
// trip, split by go-redis per node on a Cluster.
func (s *Store) Describe(ctx context.Context, handles []string) ([]session.Device, error) {
	out := make([]session.Device, len(handles))
	if len(handles) == 0 {
		return out, nil
	}
	keys := make([]string, len(handles))
	remembered := make([]bool, len(handles))
	for i, h := range handles {
		var err error
		if keys[i], remembered[i], err = s.handleKey(h); err != nil {
			return nil, fmt.Errorf("redisstore: describe: %w", err)
		}
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	cmds := make([]*redis.SliceCmd, len(handles))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, key := range keys {
			if remembered[i] {
				cmds[i] = p.HMGet(ctx, key, "u", "l", "c", "e")
			} else {
				cmds[i] = p.HMGet(ctx, key, fieldUser, fieldLabel, fieldCreated, fieldDeadline, fieldTouched, fieldRestored)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, s.onFailure("describe", err)
	}
	for i, h := range handles {
		d := session.Device{Handle: h}
		v, _ := cmds[i].Result()
		str := func(j int) string {
			if j < len(v) {
				s, _ := v[j].(string)
				return s
			}
			return ""
		}
		created, okc := parseMillis(str(2))
		expires, oke := parseMillis(str(3))
		if okc && oke {
			d.Found, d.User, d.Label, d.Created, d.Expires = true, str(0), str(1), created, expires
			d.LastActive = created
			if len(v) > 4 { // a session
				if t, ok := parseMillis(str(4)); ok {
					d.LastActive = t
				}
				d.Restored = str(5) == "1"
			} else {
				d.Remembered = true
			}
		}
		out[i] = d
	}
	return out, nil
}

// Revoke deletes every handle's key in one pipeline (per node on a
// Cluster), waiting for replicas with WithWait.
func (s *Store) Revoke(ctx context.Context, handles []string) error {
	keys := make([]string, 0, len(handles))
	for _, h := range handles {
		key, _, err := s.handleKey(h)
		if err != nil {
			return fmt.Errorf("redisstore: revoke: %w", err)
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil
	}
	if s.waitReplicas > 0 {
		// WAIT counts one connection's writes: one key at a time.
		for _, key := range keys {
			err := s.exec(ctx, "revoke", key, func(ctx context.Context, c client) (bool, error) {
				return true, c.Del(ctx, key).Err()
			})
			if err != nil {
				return err
			}
		}
		return nil
	}
	ctx, cancel := s.bound(ctx)
	defer cancel()
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, key := range keys {
			p.Del(ctx, key)
		}
		return nil
	})
	if err != nil {
		return s.onFailure("revoke", err)
	}
	return nil
}

// SaveRemember stores a remember-me token with MULTI/EXEC: HSET and
// PEXPIREAT together.
func (s *Store) SaveRemember(ctx context.Context, id string, rec session.RememberRecord) error {
	if !validID(id) {
		return fmt.Errorf("redisstore: remember: %w", ErrInvalidID)
	}
	key := s.prefix + rememberInfix + id
	return s.exec(ctx, "remember", key, func(ctx context.Context, c client) (bool, error) {
		return true, multi(ctx, c, func(p redis.Pipeliner) {
			p.HSet(ctx, key, "v", rec.Validator, "u", rec.User, "l", rec.Label,
				"c", rec.Created.UnixMilli(), "e", rec.Expires.UnixMilli())
			p.PExpireAt(ctx, key, rec.Expires)
		})
	})
}

// UseRemember checks and rotates a remember-me token in one round trip,
// with retries off: a retry after a lost reply would find the validator
// already rotated.
func (s *Store) UseRemember(ctx context.Context, id, validator, next string, now time.Time) (session.RememberRecord, session.RememberOutcome, error) {
	if !validID(id) {
		return session.RememberRecord{}, 0, fmt.Errorf("redisstore: remember: %w", ErrInvalidID)
	}
	reply, err := s.run(ctx, "remember", useRememberScript, s.prefix+rememberInfix+id,
		[]any{now.UnixMilli(), validator, next, session.RememberGrace.Milliseconds()}, false)
	if err != nil {
		return session.RememberRecord{}, 0, err
	}
	parts, _ := reply.([]any)
	if len(parts) == 0 {
		return session.RememberRecord{}, 0, fmt.Errorf("redisstore: remember: unexpected reply: %w", session.ErrCorrupt)
	}
	code, _ := parts[0].(int64)
	if code == 1 || len(parts) < 5 {
		return session.RememberRecord{}, session.RememberNotFound, nil
	}
	str := func(i int) string { v, _ := parts[i].(string); return v }
	rec := session.RememberRecord{User: str(1), Label: str(2)}
	rec.Created, _ = parseMillis(str(3))
	rec.Expires, _ = parseMillis(str(4))
	switch code {
	case 0:
		return rec, session.RememberOK, nil
	case 2:
		return rec, session.RememberRecent, nil
	}
	return rec, session.RememberStolen, nil
}
