package stack

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/session"
	"github.com/gofiber/fiber/v2/utils"
	fiberredis "github.com/gofiber/storage/redis/v3"
)

// fiberSession is Fiber v2 with its own session middleware over
// gofiber/storage/redis/v3 (go-redis v9), on the defaults of session.New.
// The storage keeps the bare session ID as the key; the ID generator adds
// the run's prefix so the run can clean up.
func fiberSession(cfg Config) (*Stack, error) {
	rdb := cfg.goRedis()
	prefix := cfg.Prefix + "fibersession:"
	store := session.New(session.Config{
		Storage:      fiberredis.NewFromConnection(rdb),
		KeyGenerator: func() string { return prefix + utils.UUIDv4() },
	})
	app := newFiber()
	mountFiber(app, logic[*fiber.Ctx]{
		create: func(c *fiber.Ctx, n int) error {
			s, err := store.Get(c)
			if err != nil {
				return err
			}
			s.Set("user", userValue)
			s.Set("visits", 0)
			s.Set("theme", themeValue)
			for i := range min(n, BigValues) {
				s.Set(bigKeys[i], bigValues[i])
			}
			return s.Save()
		},
		read: func(c *fiber.Ctx) (string, error) {
			s, err := store.Get(c)
			if err != nil {
				return "", err
			}
			if u, ok := s.Get("user").(string); ok {
				return u, nil
			}
			return "", errNoValue
		},
		incr: func(c *fiber.Ctx) (int, error) {
			s, err := store.Get(c)
			if err != nil {
				return 0, err
			}
			n, ok := s.Get("visits").(int)
			if !ok {
				return 0, errNoValue
			}
			s.Set("visits", n+1)
			return n + 1, s.Save()
		},
		write: func(c *fiber.Ctx) error {
			s, err := store.Get(c)
			if err != nil {
				return err
			}
			s.Set(writeKey, writeValue)
			return s.Save()
		},
		set: func(c *fiber.Ctx, key string) error {
			s, err := store.Get(c)
			if err != nil {
				return err
			}
			s.Set(key, setValue)
			return s.Save()
		},
		count: func(c *fiber.Ctx, prefix string) (int, error) {
			s, err := store.Get(c)
			if err != nil {
				return 0, err
			}
			return countPrefix(s.Keys(), prefix), nil
		},
	})
	return &Stack{Framework: "fiber", Library: LibFiberSession, App: app, closers: []func() error{rdb.Close}}, nil
}
