// Command gin is the sesskit demo app on Gin. From the repository root:
//
//	go run ./examples/gin                                # in-process store
//	go run ./examples/gin -redis redis://127.0.0.1:6379/0
//
// Every route and flag is in examples/README.md.
package main

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	sessgin "github.com/sesskit/sesskit/adapters/gin"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/redisstore"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/examples/internal/demo"
	sessprom "github.com/sesskit/sesskit/telemetry/prometheus"
)

func main() {
	cfg := demo.Configure("gin") // flags and environment: examples/README.md

	// The store: Redis when one is configured, else in process.
	var store session.Store = memstore.New()
	rdb, err := cfg.RedisClient()
	demo.Must("gin", err)
	if rdb != nil {
		store, err = redisstore.New(rdb, cfg.StoreOptions()...)
		demo.Must("gin", err)
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
	demo.Must("gin", err)
	app := demo.NewApp("gin", cfg, m, rdb)

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(gin.Recovery()) // outside the sessions: a panic saves nothing
	r.Use(sessgin.Middleware(m, sessgin.WithErrorHandler(func(c *gin.Context, err error) {
		c.AbortWithStatusJSON(demo.Failure(err))
	})))
	r.NoRoute(func(c *gin.Context) { c.JSON(http.StatusNotFound, demo.NotFound) })
	r.NoMethod(func(c *gin.Context) { c.JSON(http.StatusMethodNotAllowed, demo.MethodNotAllowed) })

	r.GET("/", func(c *gin.Context) {
		status, page := app.Page(sessgin.From(c))
		c.Header("Cache-Control", "no-store")
		c.Data(status, "text/html; charset=utf-8", page)
	})
	for path, form := range demo.Forms {
		r.POST(path, func(c *gin.Context) {
			body, ok := readBody(c)
			if !ok {
				return
			}
			if err := form(app.FormContext(c.Request.Context(), c.Request), sessgin.From(c), body); err != nil {
				c.JSON(demo.Failure(err))
				return
			}
			c.Redirect(http.StatusSeeOther, "/")
		})
	}

	// c.JSON sends no body with a 204.
	r.GET("/metrics", gin.WrapH(metrics.Handler()))
	r.GET("/healthz", func(c *gin.Context) {
		c.JSON(app.Health(c.Request.Context()))
	})
	api := r.Group("/api")
	api.GET("/session", func(c *gin.Context) {
		c.JSON(demo.GetSession(sessgin.From(c)))
	})
	api.POST("/visits", func(c *gin.Context) {
		s := sessgin.From(c)
		n, err := session.Incr(s, "visits", 1) // in the store: concurrent visits all count
		if errors.Is(err, session.ErrDecode) { // "visits" held something else: start over
			n, err = 1, s.Set("visits", 1)
		}
		if err != nil {
			c.JSON(demo.Failure(err))
			return
		}
		c.JSON(http.StatusOK, gin.H{"visits": n})
	})
	api.PUT("/values/:key", func(c *gin.Context) {
		if body, ok := readBody(c); ok {
			c.JSON(demo.PutValue(sessgin.From(c), c.Param("key"), body))
		}
	})
	api.GET("/values/:key", func(c *gin.Context) {
		c.JSON(demo.GetValue(sessgin.From(c), c.Param("key")))
	})
	api.DELETE("/values/:key", func(c *gin.Context) {
		c.JSON(demo.DeleteValue(sessgin.From(c), c.Param("key")))
	})
	api.POST("/login", func(c *gin.Context) {
		body, ok := readBody(c)
		if !ok {
			return
		}
		in, err := demo.ParseLogin(body)
		if err != nil {
			c.JSON(demo.Failure(err))
			return
		}
		// At most -login-limit attempts per user and client address.
		wait, allowed, err := app.LoginAllowed(c.Request.Context(), in.User, c.Request)
		if err == nil && !allowed {
			c.Header("Retry-After", demo.RetryAfter(wait))
			c.JSON(demo.TooManyLogins())
			return
		}
		s := sessgin.From(c)
		// A new token on login: a token planted before cannot follow the user.
		if err == nil {
			err = s.Renew(c.Request.Context())
		}
		if err == nil {
			err = s.SetUser(in.User) // also lists the session among the user's devices
		}
		if err == nil {
			err = s.SetLabel(demo.DeviceLabel(c.Request.UserAgent()))
		}
		if err == nil && in.Remember {
			err = s.Remember()
		}
		if err != nil {
			c.JSON(demo.Failure(err))
			return
		}
		c.JSON(http.StatusOK, in)
	})
	api.POST("/logout", func(c *gin.Context) {
		if err := sessgin.From(c).Destroy(c.Request.Context()); err != nil {
			c.JSON(demo.Failure(err))
			return
		}
		c.Status(http.StatusNoContent)
	})
	api.POST("/cart", func(c *gin.Context) {
		if body, ok := readBody(c); ok {
			c.JSON(demo.AddToCart(sessgin.From(c), body))
		}
	})
	api.POST("/flash", func(c *gin.Context) {
		body, ok := readBody(c)
		if !ok {
			return
		}
		msg, err := demo.ParseFlash(body)
		if err == nil {
			err = session.Append(sessgin.From(c), "flash", msg) // in the store: concurrent messages all land
		}
		if err != nil {
			c.JSON(demo.Failure(err))
			return
		}
		c.Status(http.StatusNoContent)
	})
	api.GET("/flash", func(c *gin.Context) {
		msgs, err := session.Pop[[]string](sessgin.From(c), "flash") // each message reaches one request
		if err != nil && !demo.NoValue(err) {
			c.JSON(demo.Failure(err))
			return
		}
		c.JSON(http.StatusOK, demo.Messages(msgs))
	})
	api.GET("/wizard", func(c *gin.Context) {
		c.JSON(demo.Wizard(sessgin.From(c)))
	})
	api.POST("/wizard/:step", func(c *gin.Context) {
		if body, ok := readBody(c); ok {
			c.JSON(demo.WizardStep(sessgin.From(c), c.Param("step"), body))
		}
	})
	api.GET("/devices", func(c *gin.Context) {
		c.JSON(demo.Devices(c.Request.Context(), sessgin.From(c)))
	})
	api.DELETE("/devices/:id", func(c *gin.Context) {
		c.JSON(demo.RevokeDevice(c.Request.Context(), sessgin.From(c), c.Param("id")))
	})
	api.POST("/devices/revoke-others", func(c *gin.Context) {
		c.JSON(demo.RevokeOtherDevices(c.Request.Context(), sessgin.From(c)))
	})

	app.Run(demo.HTTPServer(r))
}

// readBody reads the request body, answering 400 itself when it cannot.
func readBody(c *gin.Context) ([]byte, bool) {
	body, err := demo.ReadBody(c.Request.Body)
	if err != nil {
		c.JSON(http.StatusBadRequest, demo.Error{Message: "could not read the body"})
		return nil, false
	}
	return body, true
}
