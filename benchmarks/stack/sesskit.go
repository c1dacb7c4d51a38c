package stack

import (
	"fmt"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	sesschi "github.com/sesskit/sesskit/adapters/chi"
	sessecho "github.com/sesskit/sesskit/adapters/echo"
	sessfiber "github.com/sesskit/sesskit/adapters/fiber"
	sessgin "github.com/sesskit/sesskit/adapters/gin"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
)

// sesskitLogic is the scenario code on sesskit, for any framework whose
// request yields the session through from.
func sesskitLogic[C any](from func(C) *session.Session) logic[C] {
	return logic[C]{
		create: func(c C, n int) error {
			s := from(c)
			if err := s.Set("user", userValue); err != nil {
				return err
			}
			if err := s.Set("visits", 0); err != nil {
				return err
			}
			if err := s.Set("theme", themeValue); err != nil {
				return err
			}
			for i := range min(n, BigValues) {
				if err := s.Set(bigKeys[i], bigValues[i]); err != nil {
					return err
				}
			}
			return nil
		},
		read: func(c C) (string, error) {
			return session.Get[string](from(c), "user")
		},
		incr: func(c C) (int, error) {
			s := from(c)
			n, err := session.Get[int](s, "visits")
			if err != nil {
				return 0, err
			}
			return n + 1, s.Set("visits", n+1)
		},
		write: func(c C) error { return from(c).Set(writeKey, writeValue) },
		set:   func(c C, key string) error { return from(c).Set(key, setValue) },
		count: func(c C, prefix string) (int, error) {
			keys, err := from(c).Keys()
			return countPrefix(keys, prefix), err
		},
	}
}

func countPrefix(keys []string, prefix string) int {
	n := 0
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}

// sesskitManager returns a Manager with default settings over its own
// go-redis client, and the client.
func sesskitManager(cfg Config, name string) (*session.Manager, *redis.Client, error) {
	rdb := cfg.goRedis()
	store, err := redisstore.New(rdb, redisstore.WithPrefix(cfg.Prefix+name+":"))
	if err != nil {
		_ = rdb.Close()
		return nil, nil, fmt.Errorf("stack: %s: %w", name, err)
	}
	m, err := session.New(store)
	if err != nil {
		_ = rdb.Close()
		return nil, nil, fmt.Errorf("stack: %s: %w", name, err)
	}
	return m, rdb, nil
}

func sesskitChi(cfg Config) (*Stack, error) {
	m, rdb, err := sesskitManager(cfg, "sesskit-chi")
	if err != nil {
		return nil, err
	}
	r := chi.NewRouter()
	r.Use(sesschi.Middleware(m))
	mountChi(r, sesskitLogic(func(c httpCtx) *session.Session { return sesschi.From(c.r) }))
	return &Stack{Framework: "chi", Library: LibSesskit, Handler: r, closers: []func() error{rdb.Close}}, nil
}

func sesskitGin(cfg Config) (*Stack, error) {
	m, rdb, err := sesskitManager(cfg, "sesskit-gin")
	if err != nil {
		return nil, err
	}
	e := newGin()
	e.Use(sessgin.Middleware(m))
	mountGin(e, sesskitLogic(sessgin.From))
	return &Stack{Framework: "gin", Library: LibSesskit, Handler: e, closers: []func() error{rdb.Close}}, nil
}

func sesskitEcho(cfg Config) (*Stack, error) {
	m, rdb, err := sesskitManager(cfg, "sesskit-echo")
	if err != nil {
		return nil, err
	}
	e := newEcho()
	e.Use(sessecho.Middleware(m))
	mountEcho(e, sesskitLogic(sessecho.From))
	return &Stack{Framework: "echo", Library: LibSesskit, Handler: e, closers: []func() error{rdb.Close}}, nil
}

func sesskitFiber(cfg Config) (*Stack, error) {
	m, rdb, err := sesskitManager(cfg, "sesskit-fiber")
	if err != nil {
		return nil, err
	}
	app := newFiber()
	app.Use(sessfiber.Middleware(m))
	mountFiber(app, sesskitLogic(sessfiber.From))
	return &Stack{Framework: "fiber", Library: LibSesskit, App: app, closers: []func() error{rdb.Close}}, nil
}

// The frameworks with nothing but the routes: no logger, no recovery, the
// same for every library.
func newGin() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	return gin.New()
}

func newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	return e
}

func newFiber() *fiber.App {
	return fiber.New(fiber.Config{DisableStartupMessage: true})
}
