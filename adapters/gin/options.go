package sessgin

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/sesskit/sesskit/core/session"
)

// Option configures Middleware.
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	errorHandler func(c *gin.Context, err error)
}

// WithErrorHandler sets what answers when the session cannot be saved, or
// could not be loaded in fail-closed mode. It runs in place of the
// handler's response, which is dropped; the chain is already aborted. If h
// writes nothing, the response is session.ErrorStatus(err) with no body.
// The default records err with c.Error and answers session.ErrorStatus(err)
// (503, 409 or 413) with the status text, as JSON {"error":"..."} when the
// client asks for JSON and as plain text otherwise; never the error itself.
func WithErrorHandler(h func(c *gin.Context, err error)) Option {
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

// defaultErrorHandler answers with the status text only: the error may
// carry store addresses, so it goes to c.Errors (the logger), not the client.
func defaultErrorHandler(c *gin.Context, err error) {
	_ = c.Error(err)
	status := session.ErrorStatus(err)
	text := http.StatusText(status)
	if c.NegotiateFormat(gin.MIMEPlain, gin.MIMEJSON) == gin.MIMEJSON {
		c.AbortWithStatusJSON(status, gin.H{"error": text})
		return
	}
	c.Abort()
	c.Header("X-Content-Type-Options", "nosniff")
	c.String(status, "%s\n", text)
}
