package redisstore

import (
	"fmt"
	"strings"
	"time"

	"github.com/sesskit/sesskit/core/session"
)

// Defaults of the options.
const (
	DefaultPrefix  = "sesskit:"
	DefaultTimeout = 3 * time.Second
)

// Option configures a Store.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	prefix       string
	timeout      time.Duration
	waitReplicas int
	waitTimeout  time.Duration
}

// WithPrefix sets the prefix of every session key (default "sesskit:").
// Give each application sharing a Redis its own prefix. It must not be
// empty or contain '{' or '}': a Cluster hash tag in the prefix would put
// every session in one slot.
func WithPrefix(prefix string) Option {
	return optionFunc(func(c *config) { c.prefix = prefix })
}

// WithTimeout bounds every Redis call (default 3s). A request context with
// an earlier deadline keeps it; one without a deadline, or with a later one,
// gets this one, so no call can wait for Redis forever.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config) { c.timeout = d })
}

// WithWait makes every successful Save wait until at least replicas replicas
// acknowledged the write (Redis WAIT), or fail with session.ErrUnavailable
// after timeout. Without it a write acknowledged by a primary that then fails
// over (Sentinel, Cluster) may be lost: a logout could come undone. The
// write itself is not rolled back when the wait fails.
//
// It costs one more round trip per Save, on the connection the script used
// (WAIT counts that connection's writes), and works with *redis.Client
// (also Sentinel failover clients) and *redis.ClusterClient; on a Cluster
// the connection is pinned to the key's primary, so a Save during a slot
// migration fails with session.ErrUnavailable instead of following the
// redirect. The timeout must be shorter than the call timeout (WithTimeout).
// Zero replicas turns waiting off.
func WithWait(replicas int, timeout time.Duration) Option {
	return optionFunc(func(c *config) { c.waitReplicas, c.waitTimeout = replicas, timeout })
}

func (c *config) validate() error {
	switch {
	case c.prefix == "":
		return fmt.Errorf("redisstore: empty key prefix: %w", session.ErrInvalidOption)
	case strings.ContainsAny(c.prefix, "{}"):
		return fmt.Errorf("redisstore: key prefix with '{' or '}' (a cluster hash tag): %w", session.ErrInvalidOption)
	case c.timeout <= 0:
		return fmt.Errorf("redisstore: timeout %v is not positive: %w", c.timeout, session.ErrInvalidOption)
	case c.waitReplicas < 0 || c.waitTimeout < 0:
		return fmt.Errorf("redisstore: wait for %d replicas, %v: %w", c.waitReplicas, c.waitTimeout, session.ErrInvalidOption)
	case c.waitReplicas > 0 && (c.waitTimeout == 0 || c.waitTimeout >= c.timeout):
		return fmt.Errorf("redisstore: wait timeout %v must be positive and below the call timeout %v: %w", c.waitTimeout, c.timeout, session.ErrInvalidOption)
	}
	return nil
}
