package sessgin

import (
	"bufio"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
)

// writer is the gin.ResponseWriter the middleware puts in c.Writer: the
// commit rules are sesshttp.Writer's, around Gin's own writer. Gin's writer
// records WriteHeader and sends the header only at WriteHeaderNow or the
// first Write or Flush, so those are where the commit runs; until then the
// error handler can still choose the status.
type writer struct {
	gin.ResponseWriter
	commit       *sesshttp.Writer
	c            *gin.Context
	errorHandler func(*gin.Context, error)
}

var _ gin.ResponseWriter = (*writer)(nil)

// fail answers with the error handler, past this writer (so the handler's
// writes are dropped) and with the chain aborted.
func (w *writer) fail(_ http.ResponseWriter, err error) {
	w.c.Writer = w.ResponseWriter
	w.c.Abort()
	w.errorHandler(w.c, err)
	if !w.ResponseWriter.Written() {
		w.ResponseWriter.WriteHeader(session.ErrorStatus(err))
		w.ResponseWriter.WriteHeaderNow()
	}
	w.c.Writer = w
}

// WriteHeader records the status; Gin sends it later. After a failed
// commit the error handler's status stands.
func (w *writer) WriteHeader(code int) {
	if w.commit.Err() == nil {
		w.ResponseWriter.WriteHeader(code)
	}
}

// WriteHeaderNow commits, then sends the header.
func (w *writer) WriteHeaderNow() {
	if w.commit.Start() == nil {
		w.ResponseWriter.WriteHeaderNow()
	}
}

// Write commits, then writes.
func (w *writer) Write(b []byte) (int, error) { return w.commit.Write(b) }

// WriteString commits, then writes.
func (w *writer) WriteString(s string) (int, error) { return w.commit.WriteString(s) }

// Flush commits, then flushes, for streaming handlers.
func (w *writer) Flush() { w.commit.Flush() }

// Hijack commits, then hands over the connection (WebSocket upgrades).
func (w *writer) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.commit.Hijack() }

// Unwrap lets http.ResponseController reach the commit rules.
func (w *writer) Unwrap() http.ResponseWriter { return w.commit }
