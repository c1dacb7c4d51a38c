package redisstore

import (
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/session"
)

// ErrInvalidID is returned, before any Redis call, for a session ID that is
// not a hashed token (43 characters of the base64url alphabet). The engine
// validates tokens first, so seeing it means a bug, not a bad client.
var ErrInvalidID = errors.New("redisstore: invalid session id")

// storeErr classifies a failed Redis call for op ("load", "save", ...).
// A key holding another type than a hash is corrupt data; every other
// failure (network, timeout, cancelled context, cluster down, failover in
// progress, a server error) wraps session.ErrUnavailable. The cause stays
// in the chain for errors.Is and logs. Neither the id nor the key is ever
// part of the message.
func storeErr(op string, err error) error {
	if redis.HasErrorPrefix(err, "WRONGTYPE") {
		return fmt.Errorf("redisstore: %s: %w: %w", op, session.ErrCorrupt, err)
	}
	return fmt.Errorf("redisstore: %s: %w: %w", op, session.ErrUnavailable, err)
}
