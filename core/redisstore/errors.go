package redisstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/session"
)

// ErrInvalidID is returned, before any Redis call, for a session ID that is
// not a hashed token (43 characters of the base64url alphabet). The engine
// validates tokens first, so seeing it means a bug, not a bad client.
var ErrInvalidID = errors.New("redisstore: invalid session id")

// onFailure classifies a failed Redis call for op ("load", "save", ...)
// and, on a Cluster, starts a reload of the slot map (see below).
// A key holding another type than a hash is corrupt data; every other
// failure (network, timeout, cancelled context, cluster down, failover in
// progress, a server error) wraps session.ErrUnavailable. The cause stays
// in the chain for errors.Is and logs. Neither the id nor the key is ever
// part of the message.
//
// On a Cluster an unavailable store also makes the client reload its slot
// map, in the background (go-redis runs one reload at a time, at most five
// a second). A primary that died answers no MOVED, so a client that waits
// for redirects keeps sending its slots to the dead address until the
// periodic reload, 60 s by default (ClusterStateReloadInterval); with the
// reload, requests find the promoted replica as soon as it takes over.
func (s *Store) onFailure(op string, err error) error {
	if redis.HasErrorPrefix(err, "WRONGTYPE") {
		return fmt.Errorf("redisstore: %s: %w: %w", op, session.ErrCorrupt, err)
	}
	if cluster, ok := s.rdb.(*redis.ClusterClient); ok && !errors.Is(err, context.Canceled) {
		cluster.ReloadState(context.Background())
	}
	return fmt.Errorf("redisstore: %s: %w: %w", op, session.ErrUnavailable, err)
}
