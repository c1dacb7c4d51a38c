// Command echov5 is the sesskit demo app on Echo v5. From the repository root:
//
//	go run ./examples/echov5                                # in-process store
//	go run ./examples/echov5 -redis redis://127.0.0.1:6379/0
//
// Every route and flag is in examples/README.md.
package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	sessechov5 "github.com/sesskit/sesskit/adapters/echov5"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/examples/internal/demo"
	sessprom "github.com/sesskit/sesskit/telemetry/prometheus"
)

func main() {
	cfg := demo.Configure("echov5") // flags and environment: examples/README.md

	// The store: Redis when one is configured, else in process.
	var store session.Store = memstore.New()
	rdb, err := cfg.RedisClient()
	demo.Must("echov5", err)
	if rdb != nil {
		store, err = redisstore.New(rdb, cfg.StoreOptions()...)
		demo.Must("echov5", err)
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
	demo.Must("echov5", err)
	app := demo.NewApp("echov5", cfg, m, rdb)

	e := echo.New()
	e.HTTPErrorHandler = errorHandler
	e.Use(middleware.Recover()) // outside the sessions: a panic saves nothing
	e.Use(sessechov5.Middleware(m, sessechov5.WithErrorHandler(func(c *echo.Context, err error) error {
		status, body := demo.Failure(err)
		return reply(c, status, body)
	})))

	e.GET("/", func(c *echo.Context) error {
		status, page := app.Page(sessechov5.From(c))
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.HTMLBlob(status, page)
	})
	for path, form := range demo.Forms {
		e.POST(path, func(c *echo.Context) error {
			body, err := demo.ReadBody(c.Request().Body)
			if err != nil {
				return echo.ErrBadRequest
			}
			if err := form(app.FormContext(c.Request().Context(), c.Request()), sessechov5.From(c), body); err != nil {
				status, body := demo.Failure(err)
				return reply(c, status, body)
			}
			return c.Redirect(http.StatusSeeOther, "/")
		})
	}

	e.GET("/metrics", echo.WrapHandler(metrics.Handler()))
	e.GET("/healthz", func(c *echo.Context) error {
		status, body := app.Health(c.Request().Context())
		return reply(c, status, body)
	})
	api := e.Group("/api")
	api.GET("/session", func(c *echo.Context) error {
		status, body := demo.GetSession(sessechov5.From(c))
		return reply(c, status, body)
	})
	api.POST("/visits", func(c *echo.Context) error {
		s := sessechov5.From(c)
		n, err := session.Incr(s, "visits", 1) // in the store: concurrent visits all count
		if errors.Is(err, session.ErrDecode) { // "visits" held something else: start over
			n, err = 1, s.Set("visits", 1)
		}
		if err != nil {
			return fail(c, err)
		}
		return c.JSON(http.StatusOK, map[string]int64{"visits": n})
	})
	api.PUT("/values/:key", func(c *echo.Context) error {
		in, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		status, body := demo.PutValue(sessechov5.From(c), c.Param("key"), in)
		return reply(c, status, body)
	})
	api.GET("/values/:key", func(c *echo.Context) error {
		status, body := demo.GetValue(sessechov5.From(c), c.Param("key"))
		return reply(c, status, body)
	})
	api.DELETE("/values/:key", func(c *echo.Context) error {
		status, body := demo.DeleteValue(sessechov5.From(c), c.Param("key"))
		return reply(c, status, body)
	})
	api.POST("/login", func(c *echo.Context) error {
		body, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		in, err := demo.ParseLogin(body)
		if err != nil {
			return fail(c, err)
		}
		// At most -login-limit attempts per user and client address.
		wait, allowed, err := app.LoginAllowed(c.Request().Context(), in.User, c.Request())
		if err == nil && !allowed {
			c.Response().Header().Set("Retry-After", demo.RetryAfter(wait))
			status, body := demo.TooManyLogins()
			return c.JSON(status, body)
		}
		s := sessechov5.From(c)
		// A new token on login: a token planted before cannot follow the user.
		if err == nil {
			err = s.Renew(c.Request().Context())
		}
		if err == nil {
			err = s.SetUser(in.User) // also lists the session among the user's devices
		}
		if err == nil {
			err = s.SetLabel(demo.DeviceLabel(c.Request().UserAgent()))
		}
		if err == nil && in.Remember {
			err = s.Remember()
		}
		if err != nil {
			return fail(c, err)
		}
		return c.JSON(http.StatusOK, in)
	})
	api.POST("/logout", func(c *echo.Context) error {
		if err := sessechov5.From(c).Destroy(c.Request().Context()); err != nil {
			return fail(c, err)
		}
		return c.NoContent(http.StatusNoContent)
	})
	api.POST("/cart", func(c *echo.Context) error {
		in, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		status, body := demo.AddToCart(sessechov5.From(c), in)
		return reply(c, status, body)
	})
	api.POST("/flash", func(c *echo.Context) error {
		body, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		msg, err := demo.ParseFlash(body)
		if err == nil {
			err = session.Append(sessechov5.From(c), "flash", msg) // in the store: concurrent messages all land
		}
		if err != nil {
			return fail(c, err)
		}
		return c.NoContent(http.StatusNoContent)
	})
	api.GET("/flash", func(c *echo.Context) error {
		msgs, err := session.Pop[[]string](sessechov5.From(c), "flash") // each message reaches one request
		if err != nil && !demo.NoValue(err) {
			return fail(c, err)
		}
		return c.JSON(http.StatusOK, demo.Messages(msgs))
	})
	api.GET("/wizard", func(c *echo.Context) error {
		status, body := demo.Wizard(sessechov5.From(c))
		return reply(c, status, body)
	})
	api.POST("/wizard/:step", func(c *echo.Context) error {
		in, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		status, body := demo.WizardStep(sessechov5.From(c), c.Param("step"), in)
		return reply(c, status, body)
	})
	api.GET("/devices", func(c *echo.Context) error {
		status, body := demo.Devices(c.Request().Context(), sessechov5.From(c))
		return reply(c, status, body)
	})
	api.DELETE("/devices/:id", func(c *echo.Context) error {
		status, body := demo.RevokeDevice(c.Request().Context(), sessechov5.From(c), c.Param("id"))
		return reply(c, status, body)
	})
	api.POST("/devices/revoke-others", func(c *echo.Context) error {
		status, body := demo.RevokeOtherDevices(c.Request().Context(), sessechov5.From(c))
		return reply(c, status, body)
	})

	app.Run(demo.HTTPServer(e))
}

// fail answers err with demo.Failure's status and JSON body.
func fail(c *echo.Context, err error) error {
	status, body := demo.Failure(err)
	return c.JSON(status, body)
}

// reply sends a route's reply; a 204 has no body.
func reply(c *echo.Context, status int, body any) error {
	if status == http.StatusNoContent {
		return c.NoContent(status)
	}
	return c.JSON(status, body)
}

// errorHandler answers Echo's own errors (404, 405, ...) and errors the
// handlers return in the demo's JSON error shape.
func errorHandler(c *echo.Context, err error) {
	if r, _ := echo.UnwrapResponse(c.Response()); r != nil && r.Committed {
		return
	}
	status := http.StatusInternalServerError
	if code := echo.StatusCode(err); code != 0 { // *echo.HTTPError and echo.ErrNotFound alike
		status = code
	}
	if err := reply(c, status, demo.Error{Message: strings.ToLower(http.StatusText(status))}); err != nil {
		c.Logger().Error("answering an error", "error", err)
	}
}
