package sessecho

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/sesskit/sesskit/core/session"
)

// errResponseReplaced is what writes return after a failed commit: the
// middleware hands the session error to the error handler instead.
var errResponseReplaced = errors.New("sessecho: response replaced by the session error handler")

// commitWriter sits under echo.Response and commits the session when the
// response starts.
//
// Why not echo.Response.Before: a Before hook runs inside
// Response.WriteHeader and may change Response.Status, but the handler's
// body follows it anyway, so a failed commit would send an error status
// with the handler's body; and Response.Flush flushes the writer without
// calling WriteHeader, so a handler that flushes before writing would send
// its headers without the hooks (no Set-Cookie). Under the writer, every
// path out (WriteHeader, Write, Flush) goes through here, and on failure
// nothing reaches the client until the HTTPErrorHandler answers.
type commitWriter struct {
	http.ResponseWriter
	s        *session.Session
	ctx      context.Context
	encoding string // Content-Encoding when the middleware began
	started  bool
	err      error // the failed commit's error
}

func (w *commitWriter) commitOnce() {
	if !w.started {
		w.started = true
		w.err = w.s.Commit(w.ctx)
	}
}

// WriteHeader commits, then sends the header; informational statuses go
// out at once, as the response has not started.
func (w *commitWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	w.commitOnce()
	if w.err == nil {
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write commits, then writes.
func (w *commitWriter) Write(b []byte) (int, error) {
	w.commitOnce()
	if w.err != nil {
		return 0, errResponseReplaced
	}
	return w.ResponseWriter.Write(b)
}

// FlushError commits, then flushes; echo.Response.Flush calls it through
// http.ResponseController.
func (w *commitWriter) FlushError() error {
	w.commitOnce()
	if w.err != nil {
		return errResponseReplaced
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for callers that know only http.Flusher.
func (w *commitWriter) Flush() { _ = w.FlushError() }

// Hijack commits, then hands over the connection (WebSocket upgrades);
// echo.Response.Hijack reaches it through http.ResponseController.
func (w *commitWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.commitOnce()
	if w.err != nil {
		return nil, nil, errResponseReplaced
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer
// (Hijack, deadlines).
func (w *commitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
