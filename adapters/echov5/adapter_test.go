package sessechov5_test

import (
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	sessechov5 "github.com/sesskit/sesskit/adapters/echov5"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// TestAdapter runs the sesskit adapter conformance suite on sessechov5, over
// memstore and (with SESSKIT_REDIS_URL) Redis.
func TestAdapter(t *testing.T) {
	sessiontest.TestAdapter(t, sessiontest.Adapter{Serve: serveSuite})
}

func serveSuite(t *testing.T, m *session.Manager) string {
	e := echo.New()
	e.Logger = slog.New(slog.DiscardHandler)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true}))
	e.Use(sessechov5.Middleware(m))
	e.Any(sessiontest.PlainPrefix+"*", func(c *echo.Context) error {
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "bad body")
		}
		status, out := sessiontest.Handle(c.Request().Context(), sessechov5.From(c), c.Request().URL.Path, body)
		return c.Blob(status, echo.MIMETextPlainCharsetUTF8, out)
	})
	e.GET(sessiontest.StreamPath, func(c *echo.Context) error {
		for chunk := range sessiontest.Stream(c.Request().Context(), sessechov5.From(c), c.QueryParam(sessiontest.GateParam)) {
			if _, err := c.Response().Write(chunk); err != nil {
				return err
			}
			if err := http.NewResponseController(c.Response()).Flush(); err != nil {
				return err
			}
		}
		return nil
	})
	e.GET(sessiontest.RedirectPath, func(c *echo.Context) error {
		return c.Redirect(http.StatusFound, sessiontest.Redirect(sessechov5.From(c)))
	})
	e.GET(sessiontest.FailPath, func(c *echo.Context) error {
		err := sessiontest.Fail(sessechov5.From(c))
		return echo.NewHTTPError(sessiontest.FailStatus, "route failed").Wrap(err)
	})
	e.GET(sessiontest.PanicPath, func(c *echo.Context) error {
		sessiontest.Panic(sessechov5.From(c))
		return nil
	})
	return sessiontest.ServeHandler(t, e)
}
