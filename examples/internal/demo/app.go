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
	"github.com/sesskit/sesskit/core/memstore"
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

// App is one demo process: its configuration, logger and session Manager.
type App struct {
	Framework string
	Config    Config
	Log       *slog.Logger
	Manager   *session.Manager

	store string                // for the log: memory, redis, redis-cluster, redis-sentinel
	rdb   redis.UniversalClient // nil with the in-process store

	logins *throttle // login attempts (throttle.go)
}

// Start sets the demo up for framework from os.Args and the environment,
// logging to stderr. On bad configuration it prints one line to stderr and
// exits with status 2.
func Start(framework string) *App {
	cfg, err := ParseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fatal(framework, 2, fmt.Errorf("bad configuration: %w", err))
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	slog.SetDefault(log)
	a, err := New(framework, cfg, log)
	if err != nil {
		fatal(framework, 2, fmt.Errorf("bad configuration: %w", err))
	}
	return a
}

// New builds the App for cfg: a Redis store when cfg names Redis, the
// in-process store otherwise.
func New(framework string, cfg Config, log *slog.Logger) (*App, error) {
	a := &App{Framework: framework, Config: cfg, Log: log, store: "memory"}
	var store session.Store = memstore.New()
	switch {
	case cfg.RedisURL != "":
		opt, err := redisstore.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = timeouts(opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout)
		a.rdb, a.store = redis.NewClient(opt), "redis"
	case len(cfg.RedisAddrs) > 0:
		opt := redisstore.UniversalOptions(cfg.MasterName, cfg.RedisAddrs...)
		opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = timeouts(0, 0, 0)
		a.rdb, a.store = redis.NewUniversalClient(opt), "redis"
		switch {
		case cfg.MasterName != "":
			a.store = "redis-sentinel"
		case len(cfg.RedisAddrs) > 1:
			a.store = "redis-cluster"
		}
	}
	if a.rdb != nil {
		rs, err := redisstore.New(a.rdb)
		if err != nil {
			a.rdb.Close()
			return nil, err
		}
		store = rs
	}
	m, err := session.New(store, managerOptions(cfg, log)...)
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Manager = m
	a.logins = newThrottle(cfg.Users.loginLimit(), a.rdb)
	return a, nil
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

func managerOptions(cfg Config, log *slog.Logger) []session.Option {
	opts := []session.Option{
		session.WithCookieName(CookieName),
		session.WithHeaderToken(TokenHeader),
		session.WithLogger(log),
	}
	if !cfg.Secure {
		opts = append(opts, session.WithInsecureCookie())
	}
	// The engine always reads JSON; adding the other codec as a decoder lets
	// demos with different codecs share one Redis.
	if cfg.Codec == "msgpack" {
		opts = append(opts, session.WithCodec(msgpack.Codec{}))
	} else {
		opts = append(opts, session.WithDecoders(msgpack.Codec{}))
	}
	return append(opts, cfg.Users.options()...)
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
		"store", a.store, "codec", a.Config.Codec)
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
		a.Log.Warn("redis is not reachable yet", "store", a.store, "error", err)
	}
}

// fatal prints err as one line on stderr and exits with code.
func fatal(framework string, code int, err error) {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Fprintf(os.Stderr, "sesskit demo (%s): %s\n", framework, msg)
	os.Exit(code)
}
