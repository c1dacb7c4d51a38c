package sessfiber

import (
	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"
	"github.com/sesskit/sesskit/core/session"
)

// Option configures Middleware.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	next         func(c *fiber.Ctx) bool
	errorHandler func(c *fiber.Ctx, err error) error
}

// WithNext skips the middleware for requests where next returns true, like
// the Next field of Fiber's own middlewares. A skipped request has no
// session: From returns one whose methods fail with session.ErrNoSession.
func WithNext(next func(c *fiber.Ctx) bool) Option {
	return optionFunc(func(cfg *config) { cfg.next = next })
}

// WithErrorHandler sets what answers when the session cannot be saved, or
// could not be loaded in fail-closed mode. Its error goes on to Fiber's
// ErrorHandler. The default answers session.ErrorStatus(err) with the status
// text.
func WithErrorHandler(h func(c *fiber.Ctx, err error) error) Option {
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

// defaultErrorHandler answers like net/http's http.Error with the status
// text: the error may carry store addresses, so it never reaches the client.
func defaultErrorHandler(c *fiber.Ctx, err error) error {
	status := session.ErrorStatus(err)
	h := &c.Response().Header
	h.Del(fiber.HeaderContentEncoding)
	h.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	h.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	return c.Status(status).SendString(utils.StatusMessage(status) + "\n")
}
