package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sesskit/sesskit/codecs/msgpack"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// Names the contract fixes.
const (
	CookieName  = "session"
	TokenHeader = "X-Session-Token"
)

// MaxHeaderBytes bounds request headers. It is twice the 8 KiB the contract
// promises to serve, so a client with a garbage or oversized cookie gets a
// fresh session instead of a 431.
const MaxHeaderBytes = 16 << 10

// App is one demo process: its configuration, logger, session Manager and
// Redis client (nil with the in-process store).
type App struct {
	Framework string
	Config    Config
	Log       *slog.Logger
	Manager   *session.Manager

	rdb    redis.UniversalClient // nil with the in-process store
	logins *throttle             // login attempts (throttle.go)
}

// Configure reads the configuration from os.Args and the environment and
// makes the demo's logger the default one. On bad configuration it prints one
// line to stderr and exits with status 2.
func Configure(framework string) Config {
	cfg, err := ParseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	Must(framework, err)
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	return cfg
}

// Must ends the process with status 2 and a one-line message when err, a
// configuration or set-up error, is not nil.
func Must(framework string, err error) {
	if err != nil {
		fatal(framework, 2, fmt.Errorf("bad configuration: %w", err))
	}
}

// RedisClient returns a client for the configured Redis (one node, Sentinel
// or Cluster), or nil when none is configured.
func (c Config) RedisClient() (redis.UniversalClient, error) {
	switch {
	case c.RedisURL != "":
		opt, err := redisstore.ParseURL(c.RedisURL)
		if err != nil {
			return nil, err
		}
		opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = timeouts(opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout)
		return redis.NewClient(opt), nil
	case len(c.RedisAddrs) > 0:
		opt := redisstore.UniversalOptions(c.MasterName, c.RedisAddrs...)
		opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = timeouts(0, 0, 0)
		return redis.NewUniversalClient(opt), nil
	}
	return nil, nil
}

// StoreOptions are the redisstore options the configuration asks for.
func (c Config) StoreOptions() []redisstore.Option {
	if c.Wait == 0 {
		return nil
	}
	// Under the call timeout (2 s, see timeouts), so a missing replica
	// fails the write with a 503 instead of a client timeout.
	return []redisstore.Option{redisstore.WithWait(c.Wait, time.Second)}
}

// SessionOptions are the Manager options the configuration asks for: the
// codec (reading the other one too, so demos with different codecs share a
// Redis), the cookie's Secure flag, and the demo's logger.
func (c Config) SessionOptions() []session.Option {
	opts := []session.Option{session.WithLogger(slog.Default())}
	if !c.Secure {
		opts = append(opts, session.WithInsecureCookie())
	}
	if c.Codec == "msgpack" {
		opts = append(opts, session.WithCodec(msgpack.Codec{}))
	} else {
		opts = append(opts, session.WithDecoders(msgpack.Codec{}))
	}
	return append(opts, c.Users.options()...)
}

// NewApp is the demo process around m. rdb is the Manager's Redis client,
// or nil; Run closes it.
func NewApp(framework string, cfg Config, m *session.Manager, rdb redis.UniversalClient) *App {
	return &App{Framework: framework, Config: cfg, Log: slog.Default(), Manager: m, rdb: rdb,
		logins: newThrottle(cfg.Users.loginLimit(), rdb)}
}

// storeName is the store for the first log line.
func (a *App) storeName() string {
	switch {
	case a.rdb == nil:
		return "memory"
	case a.Config.MasterName != "":
		return "redis-sentinel"
	case len(a.Config.RedisAddrs) > 1:
		return "redis-cluster"
	}
	return "redis"
}

// timeouts fills in Redis client timeouts that the URL did not set: short
// ones, since a session store that does not answer in two seconds is down.
func timeouts(dial, read, write time.Duration) (time.Duration, time.Duration, time.Duration) {
	const d = 2 * time.Second
	if dial == 0 {
		dial = d
	}
	if read == 0 {
		read = d
	}
	if write == 0 {
		write = d
	}
	return dial, read, write
}

// Close releases the Redis client, if any.
func (a *App) Close() {
	if a.rdb != nil {
		a.rdb.Close()
	}
}

// Server is what Run serves with and shuts down: an *http.Server, or a thin
// wrapper around another framework's server.
type Server interface {
	Serve(ln net.Listener) error
	Shutdown(ctx context.Context) error
}

// HTTPServer returns an *http.Server for h with the demo's limits and
// timeouts.
func HTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
}

// Run listens on the configured address, logs the first line, serves until
// SIGINT or SIGTERM, then shuts down gracefully and returns. A listen or serve
// error ends the process with status 1.
func (a *App) Run(srv Server) {
	defer a.Close()
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		fatal(a.Framework, 1, err)
	}
	a.Log.Info("sesskit demo listening", "framework", a.Framework, "addr", ln.Addr().String(),
		"store", a.storeName(), "codec", a.Config.Codec)
	if a.rdb != nil {
		go a.checkRedis()
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		fatal(a.Framework, 1, fmt.Errorf("serve: %w", err))
	case <-ctx.Done():
	}
	stop() // a second signal kills the process at once

	a.Log.Info("shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		a.Close()
		fatal(a.Framework, 1, fmt.Errorf("shutdown: %w", err))
	}
	select {
	case <-served:
	case <-ctx.Done():
	}
	a.Log.Info("stopped")
}

// checkRedis warns early when Redis cannot be reached; the demo keeps
// serving, and /healthz and the session routes answer 503 until it can.
func (a *App) checkRedis() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := a.Manager.Ping(ctx); err != nil {
		a.Log.Warn("redis is not reachable yet", "store", a.storeName(), "error", err)
	}
}

// fatal prints err as one line on stderr and exits with code.
func fatal(framework string, code int, err error) {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Fprintf(os.Stderr, "sesskit demo (%s): %s\n", framework, msg)
	os.Exit(code)
}
