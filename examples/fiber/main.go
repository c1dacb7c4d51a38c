// Command fiber is the sesskit demo app on Fiber v2. From the repository root:
//
//	go run ./examples/fiber                                # in-process store
//	go run ./examples/fiber -redis redis://127.0.0.1:6379/0
//
// Every route and flag is in examples/README.md.
package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/utils"
	sessfiber "github.com/sesskit/sesskit/adapters/fiber"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/examples/internal/demo"
	sessprom "github.com/sesskit/sesskit/telemetry/prometheus"
)

func main() {
	cfg := demo.Configure("fiber") // flags and environment: examples/README.md

	// The store: Redis when one is configured, else in process.
	var store session.Store = memstore.New()
	rdb, err := cfg.RedisClient()
	demo.Must("fiber", err)
	if rdb != nil {
		store, err = redisstore.New(rdb, cfg.StoreOptions()...)
		demo.Must("fiber", err)
	}
	// The Manager: the cookie "session", or the token in a header for API
	// clients; codec and cookie flags from the configuration; its metrics
	// for Prometheus at /metrics.
	metrics := sessprom.New()
	m, err := session.New(store, append(cfg.SessionOptions(),
		session.WithCookieName("session"),
		session.WithHeaderToken("X-Session-Token"),
		session.WithObserver(metrics),
	)...)
	demo.Must("fiber", err)
	app := demo.NewApp("fiber", cfg, m, rdb)

	f := fiber.New(fiber.Config{
		ReadBufferSize:        demo.MaxHeaderBytes, // also the header limit: no 431 for big cookies
		BodyLimit:             1 << 20,             // the routes answer 413 above 64 KiB themselves
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           2 * time.Minute,
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler,
	})
	f.Use(recover.New()) // outside the sessions: a panic saves nothing
	f.Use(sessfiber.Middleware(m, sessfiber.WithErrorHandler(func(c *fiber.Ctx, err error) error {
		status, body := demo.Failure(err)
		return reply(c, status, body)
	})))

	f.Get("/", func(c *fiber.Ctx) error {
		status, page := app.Page(sessfiber.From(c))
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Type("html", "utf-8")
		return c.Status(status).Send(page)
	})
	for path, form := range demo.Forms {
		f.Post(path, func(c *fiber.Ctx) error {
			if err := form(app.FormContext(c.UserContext(), stdRequest(c)), sessfiber.From(c), c.Body()); err != nil {
				status, body := demo.Failure(err)
				return reply(c, status, body)
			}
			return c.Redirect("/", fiber.StatusSeeOther)
		})
	}

	f.Get("/metrics", adaptor.HTTPHandler(metrics.Handler()))
	f.Get("/healthz", func(c *fiber.Ctx) error {
		status, body := app.Health(c.UserContext())
		return reply(c, status, body)
	})
	api := f.Group("/api")
	api.Get("/session", func(c *fiber.Ctx) error {
		status, body := demo.GetSession(sessfiber.From(c))
		return reply(c, status, body)
	})
	api.Post("/visits", func(c *fiber.Ctx) error {
		s := sessfiber.From(c)
		n, err := session.Incr(s, "visits", 1) // in the store: concurrent visits all count
		if errors.Is(err, session.ErrDecode) { // "visits" held something else: start over
			n, err = 1, s.Set("visits", 1)
		}
		if err != nil {
			return fail(c, err)
		}
		return c.JSON(fiber.Map{"visits": n})
	})
	api.Put("/values/:key", func(c *fiber.Ctx) error {
		status, body := demo.PutValue(sessfiber.From(c), key(c), c.Body())
		return reply(c, status, body)
	})
	api.Get("/values/:key", func(c *fiber.Ctx) error {
		status, body := demo.GetValue(sessfiber.From(c), key(c))
		return reply(c, status, body)
	})
	api.Delete("/values/:key", func(c *fiber.Ctx) error {
		status, body := demo.DeleteValue(sessfiber.From(c), key(c))
		return reply(c, status, body)
	})
	api.Post("/login", func(c *fiber.Ctx) error {
		in, err := demo.ParseLogin(c.Body())
		if err != nil {
			return fail(c, err)
		}
		// At most -login-limit attempts per user and client address.
		wait, allowed, err := app.LoginAllowed(c.UserContext(), in.User, stdRequest(c))
		if err == nil && !allowed {
			c.Set(fiber.HeaderRetryAfter, demo.RetryAfter(wait))
			status, body := demo.TooManyLogins()
			return reply(c, status, body)
		}
		s := sessfiber.From(c)
		// A new token on login: a token planted before cannot follow the user.
		if err == nil {
			err = s.Renew(c.UserContext())
		}
		if err == nil {
			err = s.SetUser(in.User) // also lists the session among the user's devices
		}
		if err == nil {
			err = s.SetLabel(demo.DeviceLabel(string(c.Request().Header.UserAgent())))
		}
		if err == nil && in.Remember {
			err = s.Remember()
		}
		if err != nil {
			return fail(c, err)
		}
		return c.JSON(in)
	})
	api.Post("/logout", func(c *fiber.Ctx) error {
		if err := sessfiber.From(c).Destroy(c.UserContext()); err != nil {
			return fail(c, err)
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	api.Post("/cart", func(c *fiber.Ctx) error {
		status, body := demo.AddToCart(sessfiber.From(c), c.Body())
		return reply(c, status, body)
	})
	api.Post("/flash", func(c *fiber.Ctx) error {
		msg, err := demo.ParseFlash(c.Body()) // a copy: Fiber reuses the body's buffer
		if err == nil {
			err = session.Append(sessfiber.From(c), "flash", msg) // in the store: concurrent messages all land
		}
		if err != nil {
			return fail(c, err)
		}
		return c.SendStatus(fiber.StatusNoContent)
	})
	api.Get("/flash", func(c *fiber.Ctx) error {
		msgs, err := session.Pop[[]string](sessfiber.From(c), "flash") // each message reaches one request
		if err != nil && !demo.NoValue(err) {
			return fail(c, err)
		}
		return c.JSON(demo.Messages(msgs))
	})
	api.Get("/wizard", func(c *fiber.Ctx) error {
		status, body := demo.Wizard(sessfiber.From(c))
		return reply(c, status, body)
	})
	api.Post("/wizard/:step", func(c *fiber.Ctx) error {
		status, body := demo.WizardStep(sessfiber.From(c), c.Params("step"), c.Body())
		return reply(c, status, body)
	})
	api.Get("/devices", func(c *fiber.Ctx) error {
		status, body := demo.Devices(c.UserContext(), sessfiber.From(c))
		return reply(c, status, body)
	})
	api.Delete("/devices/:id", func(c *fiber.Ctx) error {
		status, body := demo.RevokeDevice(c.UserContext(), sessfiber.From(c), utils.CopyString(c.Params("id")))
		return reply(c, status, body)
	})
	api.Post("/devices/revoke-others", func(c *fiber.Ctx) error {
		status, body := demo.RevokeOtherDevices(c.UserContext(), sessfiber.From(c))
		return reply(c, status, body)
	})

	app.Run(server{f})
}

// key is the :key parameter, copied: Fiber's parameters point into a buffer
// that is reused after the request, and the session keeps the key.
func key(c *fiber.Ctx) string { return utils.CopyString(c.Params("key")) }

// fail answers err with demo.Failure's status and JSON body.
func fail(c *fiber.Ctx, err error) error {
	status, body := demo.Failure(err)
	return c.Status(status).JSON(body)
}

// reply sends a route's reply; a 204 has no body.
func reply(c *fiber.Ctx, status int, body any) error {
	if status == fiber.StatusNoContent {
		return c.SendStatus(status)
	}
	return c.Status(status).JSON(body)
}

// errorHandler answers Fiber's own errors (404, 405, 413, ...) in the
// demo's JSON error shape.
func errorHandler(c *fiber.Ctx, err error) error {
	status := fiber.StatusInternalServerError
	var fe *fiber.Error
	if errors.As(err, &fe) {
		status = fe.Code
	}
	return reply(c, status, demo.Error{Message: strings.ToLower(utils.StatusMessage(status))})
}

// stdRequest is what the demo reads of a request as net/http has it: the
// client address and the headers (login throttle, device labels).
func stdRequest(c *fiber.Ctx) *http.Request {
	h := http.Header{}
	for k, v := range c.Request().Header.All() { // the examples module has fasthttp v1.69 (Fiber v3)
		h.Add(string(k), string(v))
	}
	return &http.Request{RemoteAddr: c.Context().RemoteAddr().String(), Header: h}
}

// server lets demo.App.Run serve and stop a Fiber app.
type server struct{ *fiber.App }

func (s server) Serve(ln net.Listener) error        { return s.Listener(ln) }
func (s server) Shutdown(ctx context.Context) error { return s.ShutdownWithContext(ctx) }
