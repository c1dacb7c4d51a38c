package sessgin

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/sesskit/sesskit/core/session"
)

// errResponseReplaced is what writes return once the error handler answered.
var errResponseReplaced = errors.New("sessgin: response replaced by the session error handler")

// commitWriter commits the session when the response starts. Gin's own
// writer records WriteHeader and sends the header only at WriteHeaderNow or
// the first Write or Flush, so those are where the commit runs; until then
// the error handler can still choose the status.
type commitWriter struct {
	gin.ResponseWriter
	c            *gin.Context
	ctx          context.Context // the request's, with the session
	s            *session.Session
	errorHandler func(*gin.Context, error)
	encoding     string // Content-Encoding when the middleware began
	started      bool
	failed       bool // the error handler answered instead
}

var _ gin.ResponseWriter = (*commitWriter)(nil)

func (w *commitWriter) commitOnce() {
	if w.started {
		return
	}
	w.started = true
	err := w.s.Commit(w.ctx)
	if err == nil {
		return
	}
	w.failed = true
	// The error handler writes past this writer, which drops whatever the
	// handler writes from now on.
	w.c.Writer = w.ResponseWriter
	w.c.Abort()
	session.ClearBodyHeaders(w.ResponseWriter.Header(), w.encoding)
	w.errorHandler(w.c, err)
	if !w.ResponseWriter.Written() {
		w.ResponseWriter.WriteHeader(session.ErrorStatus(err))
		w.ResponseWriter.WriteHeaderNow()
	}
	w.c.Writer = w
}

// WriteHeader records the status; Gin sends it later. After a failed
// commit the error handler's status stands.
func (w *commitWriter) WriteHeader(code int) {
	if !w.failed {
		w.ResponseWriter.WriteHeader(code)
	}
}

// WriteHeaderNow commits, then sends the header.
func (w *commitWriter) WriteHeaderNow() {
	w.commitOnce()
	if !w.failed {
		w.ResponseWriter.WriteHeaderNow()
	}
}

// Write commits, then writes.
func (w *commitWriter) Write(b []byte) (int, error) {
	w.commitOnce()
	if w.failed {
		return 0, errResponseReplaced
	}
	return w.ResponseWriter.Write(b)
}

// WriteString commits, then writes.
func (w *commitWriter) WriteString(s string) (int, error) {
	w.commitOnce()
	if w.failed {
		return 0, errResponseReplaced
	}
	return w.ResponseWriter.WriteString(s)
}

// Flush commits, then flushes, for streaming handlers.
func (w *commitWriter) Flush() {
	w.commitOnce()
	if !w.failed {
		w.ResponseWriter.Flush()
	}
}

// Hijack commits, then hands over the connection (WebSocket upgrades).
func (w *commitWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.commitOnce()
	if w.failed {
		return nil, nil, errResponseReplaced
	}
	return w.ResponseWriter.Hijack()
}

// Unwrap lets http.ResponseController reach Gin's writer.
func (w *commitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
