package sessfiberv3

import (
	"github.com/gofiber/fiber/v3"
	"github.com/gofiber/utils/v2"
	"github.com/sesskit/sesskit/core/session"
)

// Option configures Middleware.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	next         func(c fiber.Ctx) bool
	errorHandler func(c fiber.Ctx, err error) error
}

// WithNext skips the middleware for requests where next returns true, like
// the Next field of Fiber's own middlewares. A skipped request has no
// session: From returns one whose methods fail with session.ErrNoSession.
func WithNext(next func(c fiber.Ctx) bool) Option {
	return optionFunc(func(cfg *config) { cfg.next = next })
}

// WithErrorHandler sets what answers when the session cannot be saved, or
// could not be loaded in fail-closed mode. It runs in place of the
// handler's response; the error it returns goes on to Fiber's ErrorHandler.
// The default returns fiber.NewError(session.ErrorStatus(err), status text)
// (503, 409 or 413), so the application's ErrorHandler renders it like any
// other error, never with the cause, which may name store addresses.
func WithErrorHandler(h func(c fiber.Ctx, err error) error) Option {
	return optionFunc(func(cfg *config) { cfg.errorHandler = h })
}

func newConfig(opts []Option) config {
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.apply(&cfg)
		}
	}
	if cfg.errorHandler == nil {
		cfg.errorHandler = defaultErrorHandler
	}
	return cfg
}

// defaultErrorHandler hands a bare status to the application's
// ErrorHandler: the cause may carry store addresses.
func defaultErrorHandler(_ fiber.Ctx, err error) error {
	status := session.ErrorStatus(err)
	return fiber.NewError(status, utils.StatusMessage(status))
}
