package sessechov5

import (
	"net/http"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	"github.com/sesskit/sesskit/core/session"
)

// Option configures Middleware.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	skipper      middleware.Skipper
	errorHandler func(c *echo.Context, err error) error
}

// WithSkipper skips the middleware for requests where skipper returns
// true, like the Skipper of Echo's own middlewares. A skipped request has
// no session: From returns one whose methods fail with session.ErrNoSession.
func WithSkipper(skipper middleware.Skipper) Option {
	return optionFunc(func(cfg *config) { cfg.skipper = skipper })
}

// WithErrorHandler sets what answers when the session cannot be saved, or
// could not be loaded in fail-closed mode. It runs after the handler, whose
// response was dropped, and its error goes on to Echo's HTTPErrorHandler;
// it may also answer itself and return nil. The default returns an
// *echo.HTTPError with status session.ErrorStatus(err) (503, 409 or 413),
// the status text as message and err wrapped inside, so the application's
// HTTPErrorHandler renders it like any other error.
func WithErrorHandler(h func(c *echo.Context, err error) error) Option {
	return optionFunc(func(cfg *config) { cfg.errorHandler = h })
}

func newConfig(opts []Option) config {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.skipper == nil {
		cfg.skipper = middleware.DefaultSkipper
	}
	if cfg.errorHandler == nil {
		cfg.errorHandler = defaultErrorHandler
	}
	return cfg
}

// defaultErrorHandler keeps the error out of the message: it may carry
// store addresses. Echo's default HTTPErrorHandler shows the wrapped error
// only when created with exposeError.
func defaultErrorHandler(_ *echo.Context, err error) error {
	status := session.ErrorStatus(err)
	return echo.NewHTTPError(status, http.StatusText(status)).Wrap(err)
}
