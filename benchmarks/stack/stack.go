package stack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/redis/go-redis/v9"
)

// Library names, as benchmark names and the report use them.
const (
	LibSesskit      = "sesskit"
	LibSCS          = "scs"
	LibGinContrib   = "gin-contrib"
	LibEchoContrib  = "echo-contrib"
	LibFiberSession = "fiber-session"
	LibFloor        = "floor"
)

// Frameworks in report order.
var Frameworks = []string{"chi", "gin", "echo", "fiber"}

// Config says which Redis the stacks use and where they keep their keys.
type Config struct {
	Addr     string // Redis host:port (no password, database 0)
	Prefix   string // every key of every stack starts with it
	PoolSize int    // connections per client; 0 for 20
}

func (c Config) poolSize() int {
	if c.PoolSize > 0 {
		return c.PoolSize
	}
	return 20
}

// goRedis is the client of the go-redis stacks, all configured alike
// (sesskit needs ContextTimeoutEnabled; the others do not mind it).
func (c Config) goRedis() *redis.Client {
	return redis.NewClient(&redis.Options{Addr: c.Addr, PoolSize: c.poolSize(), ContextTimeoutEnabled: true})
}

// A Stack is one session library on one web framework, serving the routes
// of the scenarios. Exactly one of Handler and App is set.
type Stack struct {
	Framework string       // chi, gin, echo or fiber
	Library   string       // one of the Lib constants
	Handler   http.Handler // chi, gin and echo
	App       *fiber.App   // fiber

	closers []func() error
}

// Name is "framework/library".
func (s *Stack) Name() string { return s.Framework + "/" + s.Library }

// IsPeer reports whether the stack is a library other than sesskit and the floor.
func (s *Stack) IsPeer() bool { return s.Library != LibSesskit && s.Library != LibFloor }

// Close releases the stack's Redis clients and stops its server, if any.
func (s *Stack) Close() error {
	var errs []error
	for i := len(s.closers) - 1; i >= 0; i-- {
		errs = append(errs, s.closers[i]())
	}
	s.closers = nil
	return errors.Join(errs...)
}

// builders in report order: per framework, sesskit, the peer, the floor.
var builders = []func(Config) (*Stack, error){
	sesskitChi, scsChi, floorChi,
	sesskitGin, ginContrib, floorGin,
	sesskitEcho, echoContrib, floorEcho,
	sesskitFiber, fiberSession, floorFiber,
}

// Build returns every stack, in report order. Close them when done.
func Build(cfg Config) ([]*Stack, error) {
	if cfg.Addr == "" || cfg.Prefix == "" {
		return nil, errors.New("stack: Config needs Addr and Prefix")
	}
	var stacks []*Stack
	for _, b := range builders {
		s, err := b(cfg)
		if err != nil {
			for _, s := range stacks {
				_ = s.Close()
			}
			return nil, err
		}
		stacks = append(stacks, s)
	}
	return stacks, nil
}

// Serve answers HTTP on ln in the background until Close. A stack serves
// one listener at most.
func (s *Stack) Serve(ln net.Listener) error {
	if s.App != nil {
		errc := make(chan error, 1)
		go func() { errc <- s.App.Listener(ln) }()
		s.closers = append(s.closers, func() error {
			err := s.App.ShutdownWithTimeout(5 * time.Second)
			if lerr := <-errc; err == nil && lerr != nil {
				err = lerr
			}
			return err
		})
		return nil
	}
	srv := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.closers = append(s.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		if serr := <-errc; err == nil && !errors.Is(serr, http.ErrServerClosed) {
			err = serr
		}
		if err != nil {
			return fmt.Errorf("stack: %s: shutdown: %w", s.Name(), err)
		}
		return nil
	})
	return nil
}
