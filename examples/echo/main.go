// Command echo is the sesskit demo app on Echo. From the repository root:
//
//	go run ./examples/echo                                # in-process store
//	go run ./examples/echo -redis redis://127.0.0.1:6379/0
//
// Every route and flag is in examples/README.md.
package main

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	sessecho "github.com/sesskit/sesskit/adapters/echo"
	"github.com/sesskit/sesskit/examples/internal/demo"
)

func main() {
	app := demo.Start("echo")

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler
	e.Use(middleware.Recover()) // outside the sessions: a panic saves nothing
	e.Use(sessecho.Middleware(app.Manager, sessecho.WithErrorHandler(func(c echo.Context, err error) error {
		status, body := demo.Failure(err)
		return reply(c, status, body)
	})))

	e.GET("/", func(c echo.Context) error {
		status, page := app.Page(sessecho.From(c))
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.HTMLBlob(status, page)
	})
	for path, form := range demo.Forms {
		e.POST(path, func(c echo.Context) error {
			body, err := demo.ReadBody(c.Request().Body)
			if err != nil {
				return echo.ErrBadRequest
			}
			if err := form(app.FormContext(c.Request().Context(), c.Request()), sessecho.From(c), body); err != nil {
				status, body := demo.Failure(err)
				return reply(c, status, body)
			}
			return c.Redirect(http.StatusSeeOther, "/")
		})
	}

	e.GET("/healthz", func(c echo.Context) error {
		status, body := app.Health(c.Request().Context())
		return reply(c, status, body)
	})
	api := e.Group("/api")
	api.GET("/session", func(c echo.Context) error {
		status, body := demo.GetSession(sessecho.From(c))
		return reply(c, status, body)
	})
	api.POST("/visits", func(c echo.Context) error {
		status, body := demo.CountVisit(sessecho.From(c))
		return reply(c, status, body)
	})
	api.PUT("/values/:key", func(c echo.Context) error {
		in, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		status, body := demo.PutValue(sessecho.From(c), c.Param("key"), in)
		return reply(c, status, body)
	})
	api.GET("/values/:key", func(c echo.Context) error {
		status, body := demo.GetValue(sessecho.From(c), c.Param("key"))
		return reply(c, status, body)
	})
	api.DELETE("/values/:key", func(c echo.Context) error {
		status, body := demo.DeleteValue(sessecho.From(c), c.Param("key"))
		return reply(c, status, body)
	})
	api.POST("/login", func(c echo.Context) error {
		in, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		status, body, retryAfter := app.Login(c.Request().Context(), sessecho.From(c), c.Request(), in)
		if retryAfter != "" {
			c.Response().Header().Set("Retry-After", retryAfter)
		}
		return reply(c, status, body)
	})
	api.POST("/logout", func(c echo.Context) error {
		status, body := demo.Logout(c.Request().Context(), sessecho.From(c))
		return reply(c, status, body)
	})
	api.POST("/cart", func(c echo.Context) error {
		in, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		status, body := demo.AddToCart(sessecho.From(c), in)
		return reply(c, status, body)
	})
	api.POST("/flash", func(c echo.Context) error {
		in, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		status, body := demo.AddFlash(sessecho.From(c), in)
		return reply(c, status, body)
	})
	api.GET("/flash", func(c echo.Context) error {
		status, body := demo.PopFlash(sessecho.From(c))
		return reply(c, status, body)
	})
	api.GET("/wizard", func(c echo.Context) error {
		status, body := demo.Wizard(sessecho.From(c))
		return reply(c, status, body)
	})
	api.POST("/wizard/:step", func(c echo.Context) error {
		in, err := demo.ReadBody(c.Request().Body)
		if err != nil {
			return echo.ErrBadRequest
		}
		status, body := demo.WizardStep(sessecho.From(c), c.Param("step"), in)
		return reply(c, status, body)
	})
	api.GET("/devices", func(c echo.Context) error {
		status, body := demo.Devices(c.Request().Context(), sessecho.From(c))
		return reply(c, status, body)
	})
	api.DELETE("/devices/:id", func(c echo.Context) error {
		status, body := demo.RevokeDevice(c.Request().Context(), sessecho.From(c), c.Param("id"))
		return reply(c, status, body)
	})
	api.POST("/devices/revoke-others", func(c echo.Context) error {
		status, body := demo.RevokeOtherDevices(c.Request().Context(), sessecho.From(c))
		return reply(c, status, body)
	})

	app.Run(demo.HTTPServer(e))
}

// reply sends a route's reply; a 204 has no body.
func reply(c echo.Context, status int, body any) error {
	if status == http.StatusNoContent {
		return c.NoContent(status)
	}
	return c.JSON(status, body)
}

// errorHandler answers Echo's own errors (404, 405, ...) and errors the
// handlers return in the demo's JSON error shape.
func errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
	}
	if err := reply(c, status, demo.Error{Message: strings.ToLower(http.StatusText(status))}); err != nil {
		c.Logger().Error(err)
	}
}
