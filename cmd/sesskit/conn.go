package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// connFlags says where Redis is, as the examples do: a flag wins over its
// environment variable. Credentials come from the environment only, so
// they never show in a process listing.
type connFlags struct {
	url     string
	addrs   string
	master  string
	prefix  string
	tls     bool
	caFile  string
	timeout time.Duration
}

func addConnFlags(fs *flag.FlagSet) *connFlags {
	c := &connFlags{}
	fs.StringVar(&c.url, "redis", os.Getenv("REDIS_URL"), "redis:// or rediss:// URL of one node (env REDIS_URL)")
	fs.StringVar(&c.addrs, "addrs", os.Getenv("REDIS_ADDRS"), "comma list of host:port: several = Cluster seeds; with -master-name, the Sentinels (env REDIS_ADDRS)")
	fs.StringVar(&c.master, "master-name", os.Getenv("REDIS_MASTER_NAME"), "Sentinel master name (env REDIS_MASTER_NAME)")
	fs.StringVar(&c.prefix, "prefix", or(os.Getenv("SESSKIT_PREFIX"), redisstore.DefaultPrefix), "key prefix the application uses (redisstore.WithPrefix; env SESSKIT_PREFIX)")
	fs.BoolVar(&c.tls, "tls", os.Getenv("REDIS_TLS") == "1", "TLS for -addrs (env REDIS_TLS=1; rediss:// URLs need nothing)")
	fs.StringVar(&c.caFile, "tls-ca", os.Getenv("REDIS_TLS_CA"), "PEM file of the CA that signed Redis's certificate, when not a public one (env REDIS_TLS_CA)")
	fs.DurationVar(&c.timeout, "timeout", 2*time.Second, "bound on connecting and on each Redis call")
	return c
}

// check refuses contradictory settings before anything is dialled.
func (c *connFlags) check(fs *flag.FlagSet) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch { // a flag wins over the variables
	case set["redis"] && set["addrs"]:
		return usageError{errors.New("-redis and -addrs are both given; give one")}
	case set["redis"]:
		c.addrs, c.master = "", ""
	case set["addrs"]:
		c.url = ""
	}
	switch {
	case c.timeout <= 0:
		return usageError{fmt.Errorf("-timeout %v is not positive", c.timeout)}
	case c.url != "" && c.addrs != "":
		return usageError{errors.New("both a URL (-redis, REDIS_URL) and addresses (-addrs, REDIS_ADDRS) are set; set one")}
	case c.master != "" && c.addrs == "":
		return usageError{errors.New("a master name needs the Sentinel addresses (-addrs, REDIS_ADDRS)")}
	case c.url == "" && c.addrs == "":
		return usageError{errors.New("no Redis: set -redis URL (REDIS_URL) or -addrs (REDIS_ADDRS)")}
	}
	if c.addrs == "" {
		return nil
	}
	for a := range strings.SplitSeq(c.addrs, ",") {
		if _, port, err := net.SplitHostPort(strings.TrimSpace(a)); err != nil || port == "" {
			return usageError{fmt.Errorf("-addrs: %q is not host:port", a)}
		}
	}
	return nil
}

// conn is a connection to a sesskit deployment.
type conn struct {
	rdb      redis.UniversalClient
	store    *redisstore.Store
	topology string // "single", "sentinel" or "cluster"
	where    string // for messages: the URL's host, the addresses
	timeout  time.Duration

	// Sentinel only: how to reach the Sentinels themselves (doctor).
	master    string
	sentinels []*redis.Options
}

// connect dials Redis and checks that it answers within the timeout.
func (c *connFlags) connect(ctx context.Context) (*conn, error) {
	cn, err := c.open()
	if err != nil {
		return nil, err
	}
	if err := cn.store.Ping(ctx); err != nil {
		cn.rdb.Close()
		return nil, fmt.Errorf("cannot reach Redis (%s) within %v: %w", cn.where, c.timeout, err)
	}
	return cn, nil
}

// open makes the client and the store; nothing is dialled yet.
func (c *connFlags) open() (*conn, error) {
	var tlsConfig *tls.Config
	if c.tls || c.caFile != "" {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.caFile != "" {
		pem, err := os.ReadFile(c.caFile)
		if err != nil {
			return nil, usageError{fmt.Errorf("-tls-ca: %w", err)}
		}
		tlsConfig.RootCAs = x509.NewCertPool()
		if !tlsConfig.RootCAs.AppendCertsFromPEM(pem) {
			return nil, usageError{fmt.Errorf("-tls-ca: no certificate in %s", c.caFile)}
		}
	}
	cn := &conn{timeout: c.timeout}
	if c.url != "" {
		opt, err := redisstore.ParseURL(c.url)
		if err != nil {
			return nil, usageError{err}
		}
		if opt.TLSConfig != nil && tlsConfig != nil {
			opt.TLSConfig.RootCAs = tlsConfig.RootCAs
		} else if tlsConfig != nil {
			opt.TLSConfig = tlsConfig
		}
		opt.Username = or(opt.Username, os.Getenv("REDIS_USERNAME"))
		opt.Password = or(opt.Password, os.Getenv("REDIS_PASSWORD"))
		opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = c.timeout, c.timeout, c.timeout
		opt.MaxRetries, opt.DialerRetries = 1, 1
		cn.rdb, cn.topology, cn.where = redis.NewClient(opt), "single", opt.Addr
	} else {
		var addrs []string
		for a := range strings.SplitSeq(c.addrs, ",") {
			addrs = append(addrs, strings.TrimSpace(a))
		}
		opt := redisstore.UniversalOptions(c.master, addrs...)
		opt.Username, opt.Password = os.Getenv("REDIS_USERNAME"), os.Getenv("REDIS_PASSWORD")
		opt.SentinelUsername, opt.SentinelPassword = os.Getenv("REDIS_SENTINEL_USERNAME"), os.Getenv("REDIS_SENTINEL_PASSWORD")
		opt.TLSConfig = tlsConfig
		opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = c.timeout, c.timeout, c.timeout
		opt.MaxRetries, opt.DialerRetries = 1, 1
		cn.rdb, cn.where = redis.NewUniversalClient(opt), c.addrs
		switch {
		case c.master != "":
			cn.topology, cn.where = "sentinel", fmt.Sprintf("primary %q of the Sentinels %s", c.master, c.addrs)
			cn.master = c.master
			for _, a := range addrs {
				cn.sentinels = append(cn.sentinels, &redis.Options{
					Addr: a, Username: opt.SentinelUsername, Password: opt.SentinelPassword, TLSConfig: opt.TLSConfig,
					DialTimeout: c.timeout, ReadTimeout: c.timeout, WriteTimeout: c.timeout, MaxRetries: 1, DialerRetries: 1,
				})
			}
		case len(addrs) > 1:
			cn.topology = "cluster"
		default:
			cn.topology = "single"
		}
	}
	store, err := redisstore.New(cn.rdb, redisstore.WithPrefix(c.prefix), redisstore.WithTimeout(c.timeout))
	if err != nil {
		cn.rdb.Close()
		return nil, usageError{err}
	}
	cn.store = store
	return cn, nil
}

// quiet drops go-redis's own log lines (a failed dial, say): the command
// reports every error it gets, once.
type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

func init() { redis.SetLogger(quiet{}) }

func (cn *conn) Close() error { return cn.rdb.Close() }

// connectFor connects for a command on one handle, refusing anything that
// is not a handle before dialling.
func (c *connFlags) connectFor(ctx context.Context, handle string) (*conn, error) {
	cn, err := c.open()
	if err != nil {
		return nil, err
	}
	if _, err := cn.store.KeyOf(handle); err != nil {
		cn.Close()
		return nil, usageError{fmt.Errorf("%q is not a handle (a session's ID as user ls shows it, or r and a remember-me token's ID)", handle)}
	}
	cn.Close()
	return c.connect(ctx)
}

// manager is a Manager over the store, for the per-user operations.
func (cn *conn) manager() (*session.Manager, error) {
	return session.New(cn.store)
}

// bound gives one Redis call, or one batch of calls, the timeout.
func (cn *conn) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, cn.timeout)
}

// forEachPrimary runs fn on every primary: each master of a Cluster (at
// once, so fn must be safe for concurrent use), or the one node.
func (cn *conn) forEachPrimary(ctx context.Context, fn func(ctx context.Context, name string, c *redis.Client) error) error {
	if cluster, ok := cn.rdb.(*redis.ClusterClient); ok {
		return cluster.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error {
			return fn(ctx, c.Options().Addr, c)
		})
	}
	c, ok := cn.rdb.(*redis.Client)
	if !ok {
		return fmt.Errorf("unexpected client %T", cn.rdb)
	}
	name := c.Options().Addr
	if cn.topology == "sentinel" {
		name = "primary"
	}
	return fn(ctx, name, c)
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
