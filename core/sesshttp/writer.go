package sesshttp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/sesskit/sesskit/core/session"
)

// errResponseReplaced is what writes return once a failed commit handed the
// response to the error handler.
var errResponseReplaced = errors.New("sesshttp: response replaced by the session error handler")

// Writer wraps a ResponseWriter so the request's session is committed when
// the response starts: at the first WriteHeader (informational statuses
// aside), Write, WriteString, Flush or ReadFrom, and at Hijack. When the
// commit fails, the handler's headers for its body are cleared, the failure
// callback answers on the wrapped writer, and the handler's writes are
// dropped (they return an error).
//
// Middleware uses it for net/http; the Gin and Echo adapters wrap their
// framework's writer in it, so the commit rules live in one place.
type Writer struct {
	http.ResponseWriter
	scope    session.RequestScope
	ctx      context.Context
	fail     func(w http.ResponseWriter, err error)
	encoding string // Content-Encoding when the middleware began
	started  bool
	err      error // the failed commit's error
}

var _ http.ResponseWriter = (*Writer)(nil)

// NewWriter returns a Writer committing scope with ctx over w. fail, when not
// nil, answers in place of the handler when the commit fails; with nil the
// adapter answers itself after the handler returns (see Err).
func NewWriter(w http.ResponseWriter, scope session.RequestScope, ctx context.Context, fail func(w http.ResponseWriter, err error)) *Writer {
	return &Writer{ResponseWriter: w, scope: scope, ctx: ctx, fail: fail, encoding: w.Header().Get("Content-Encoding")}
}

// Start commits the session unless that was done, and returns nil when the
// handler's response may go on, or errResponseReplaced. Adapters call it
// after the handler returns, for responses that wrote nothing.
func (w *Writer) Start() error {
	if !w.started {
		w.started = true
		if err := w.scope.Commit(w.ctx); err != nil {
			w.failed(err)
		}
	}
	if w.err != nil {
		return errResponseReplaced
	}
	return nil
}

func (w *Writer) failed(err error) {
	w.err = err
	ClearBodyHeaders(w.ResponseWriter.Header(), w.encoding)
	if w.fail != nil {
		w.fail(w.ResponseWriter, err)
	}
}

// Err returns the error of a failed commit, or nil.
func (w *Writer) Err() error { return w.err }

// WriteHeader commits, then sends the header. Informational statuses go out
// at once: the response has not started.
func (w *Writer) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code)
		return
	}
	if w.Start() == nil {
		w.ResponseWriter.WriteHeader(code)
	}
}

// Write commits, then writes.
func (w *Writer) Write(b []byte) (int, error) {
	if err := w.Start(); err != nil {
		return 0, err
	}
	return w.ResponseWriter.Write(b)
}

// WriteString commits, then writes s without converting it to []byte.
func (w *Writer) WriteString(s string) (int, error) {
	if err := w.Start(); err != nil {
		return 0, err
	}
	return io.WriteString(w.ResponseWriter, s)
}

// ReadFrom commits, then copies through the wrapped writer, keeping its
// sendfile path for io.Copy and http.ServeContent.
func (w *Writer) ReadFrom(r io.Reader) (int64, error) {
	if err := w.Start(); err != nil {
		return 0, err
	}
	return io.Copy(w.ResponseWriter, r)
}

// FlushError commits, then flushes, for streaming handlers;
// http.ResponseController calls it.
func (w *Writer) FlushError() error {
	if err := w.Start(); err != nil {
		return err
	}
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush is FlushError for callers that know only http.Flusher.
func (w *Writer) Flush() { _ = w.FlushError() }

// Hijack commits, then hands over the connection (WebSocket upgrades). A
// session that needs to send the client a new or renewed token refuses
// with session.ErrHijacked instead: no header can follow a hijack.
func (w *Writer) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if !w.started {
		if err := w.scope.CommitHijacked(w.ctx); errors.Is(err, session.ErrHijacked) {
			return nil, nil, err
		} else if err != nil {
			w.started = true
			w.failed(err)
		}
		w.started = true
	}
	if w.err != nil {
		return nil, nil, errResponseReplaced
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the wrapped writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
