package redisstore

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
	"github.com/sesskit/sesskit/core/session"
)

// ParseURL parses a redis:// or rediss:// URL of one node into client
// options with the settings the store needs: ContextTimeoutEnabled, and
// maintenance notifications off (see WithWait). Query parameters are
// go-redis's (dial_timeout, pool_size, ...).
func ParseURL(rawURL string) (*redis.Options, error) {
	opt, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Error repeats the URL, password included; keep only the reason.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("redisstore: parse url: %w", err)
	}
	opt.ContextTimeoutEnabled = true
	opt.MaintNotificationsConfig = noMaintNotifications()
	return opt, nil
}

// noMaintNotifications turns go-redis's maintenance notifications off.
// They are for Redis Enterprise and Redis 8 endpoints; on others the
// client turns them off itself at the first connection, writing options
// that the connections WithWait pins share without a lock (a data race in
// go-redis v9.23).
func noMaintNotifications() *maintnotifications.Config {
	return &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}

// UniversalOptions returns client options for redis.NewUniversalClient with
// the settings the store needs: one address is a single node, several are
// Cluster seeds, and with a master name they are Sentinels. Maintenance
// notifications are off (see WithWait). Set credentials and TLS on the
// result.
func UniversalOptions(masterName string, addrs ...string) *redis.UniversalOptions {
	return &redis.UniversalOptions{
		Addrs:                    addrs,
		MasterName:               masterName,
		ContextTimeoutEnabled:    true,
		MaintNotificationsConfig: noMaintNotifications(),
	}
}

// checkClient refuses clients the store cannot keep its promises with.
func checkClient(rdb redis.UniversalClient, c *config) error {
	var ctxTimeout bool
	var maint *maintnotifications.Config
	switch rdb := rdb.(type) {
	case nil:
		return fmt.Errorf("redisstore: nil client: %w", session.ErrInvalidOption)
	case *redis.Client:
		if rdb == nil {
			return fmt.Errorf("redisstore: nil client: %w", session.ErrInvalidOption)
		}
		ctxTimeout, maint = rdb.Options().ContextTimeoutEnabled, rdb.Options().MaintNotificationsConfig
	case *redis.ClusterClient:
		if rdb == nil {
			return fmt.Errorf("redisstore: nil client: %w", session.ErrInvalidOption)
		}
		ctxTimeout, maint = rdb.Options().ContextTimeoutEnabled, rdb.Options().MaintNotificationsConfig
	case *redis.Ring:
		// A Ring moves keys when a shard leaves and moves them back when it
		// returns: a session deleted meanwhile (logout) would come back.
		return fmt.Errorf("redisstore: *redis.Ring is not supported, use a Cluster: %w", session.ErrInvalidOption)
	default:
		// A wrapper we cannot look into: trust it, but WAIT needs a
		// connection we can pin.
		if c.waitReplicas > 0 {
			return fmt.Errorf("redisstore: WithWait needs a *redis.Client or *redis.ClusterClient, not %T: %w", rdb, session.ErrInvalidOption)
		}
		return nil
	}
	if !ctxTimeout {
		return fmt.Errorf("redisstore: client has ContextTimeoutEnabled off, so request deadlines would not bound Redis calls (see redisstore.ParseURL): %w", session.ErrInvalidOption)
	}
	if c.waitReplicas > 0 && maint != nil && maint.Mode != maintnotifications.ModeDisabled {
		return fmt.Errorf("redisstore: WithWait pins connections, which go-redis v9.23 cannot do safely with maintenance notifications on (mode %q): "+
			"set MaintNotificationsConfig to maintnotifications.ModeDisabled, as ParseURL and UniversalOptions do: %w", maint.Mode, session.ErrInvalidOption)
	}
	return nil
}
