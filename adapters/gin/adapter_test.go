package sessgin_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"
	sessgin "github.com/sesskit/sesskit/adapters/gin"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// TestAdapter runs the sesskit adapter conformance suite on sessgin, over
// memstore and (with SESSKIT_REDIS_URL) Redis.
func TestAdapter(t *testing.T) {
	sessiontest.TestAdapter(t, sessiontest.Adapter{Serve: serveSuite})
}

func serveSuite(t *testing.T, m *session.Manager) string {
	r := gin.New()
	r.Use(gin.RecoveryWithWriter(io.Discard), sessgin.Middleware(m))
	r.Any(sessiontest.PlainPrefix+"*path", func(c *gin.Context) {
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			c.String(http.StatusBadRequest, "bad body")
			return
		}
		status, out := sessiontest.Handle(c.Request.Context(), sessgin.From(c), c.Request.URL.Path, body)
		c.Data(status, "text/plain; charset=utf-8", out)
	})
	r.GET(sessiontest.StreamPath, func(c *gin.Context) {
		for chunk := range sessiontest.Stream(c.Request.Context(), sessgin.From(c), c.Query(sessiontest.GateParam)) {
			if _, err := c.Writer.Write(chunk); err != nil {
				return
			}
			c.Writer.Flush()
		}
	})
	r.GET(sessiontest.RedirectPath, func(c *gin.Context) {
		c.Redirect(http.StatusFound, sessiontest.Redirect(sessgin.From(c)))
	})
	r.GET(sessiontest.FailPath, func(c *gin.Context) {
		_ = c.AbortWithError(sessiontest.FailStatus, sessiontest.Fail(sessgin.From(c)))
	})
	r.GET(sessiontest.PanicPath, func(c *gin.Context) {
		sessiontest.Panic(sessgin.From(c))
	})
	return sessiontest.ServeHandler(t, r)
}
