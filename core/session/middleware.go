package session

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
)

// Middleware is the net/http middleware: it attaches the request's session
// to the request context and commits it before the first byte of the
// response, whether the handler writes, flushes, or returns without writing.
// When the handler panics (or calls runtime.Goexit) the session is discarded
// and the panic goes on untouched.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		x := &exchange{m: m, carrier: HTTPCarrier{Request: r, Writer: w}, encoding: w.Header().Get("Content-Encoding")}
		m.begin(&x.session, r.Context(), &x.carrier)
		x.r = r.WithContext(NewContext(r.Context(), &x.session))
		x.w = commitWriter{ResponseWriter: w, x: x}
		returned := false
		defer func() {
			if !returned {
				x.session.Discard()
			}
		}()
		next.ServeHTTP(&x.w, x.r)
		returned = true
		x.w.commitOnce()
	})
}

// exchange is the middleware's state for one request, in one allocation.
type exchange struct {
	m        *Manager
	session  Session
	carrier  HTTPCarrier
	w        commitWriter
	r        *http.Request
	encoding string // Content-Encoding when the middleware began
}

// commit saves the session, or answers with the error handler; it reports
// whether the handler's response may go on.
func (x *exchange) commit() bool {
	err := x.session.Commit(x.r.Context())
	if err == nil {
		return true
	}
	ClearBodyHeaders(x.carrier.Writer.Header(), x.encoding)
	x.m.cfg.errorHandler(x.carrier.Writer, x.r, err)
	return false
}

// bodyHeaders describe the handler's body, not an error page.
var bodyHeaders = []string{"Content-Length", "Content-Range", "Content-Disposition", "ETag", "Last-Modified"}

// ClearBodyHeaders drops the headers of a response that an error page
// replaces. Content-Encoding goes back to encoding, its value when the
// session middleware began: a compressor outside the middleware that set
// the header first also compresses the error page, one inside it does not.
// Adapters call it before their error handler answers.
func ClearBodyHeaders(h http.Header, encoding string) {
	for _, k := range bodyHeaders {
		h.Del(k)
	}
	switch {
	case h.Get("Content-Encoding") == encoding:
	case encoding == "":
		h.Del("Content-Encoding")
	default:
		h.Set("Content-Encoding", encoding)
	}
}

// HTTPCarrier is the Carrier over net/http types. Adapters for frameworks
// built on net/http (Gin, Echo, Chi) use it as is.
type HTTPCarrier struct {
	Request *http.Request
	Writer  http.ResponseWriter
}

// Cookie returns the value of the first request cookie named name, or "".
// It scans the Cookie headers in place instead of parsing every cookie
// (http.Request.Cookie allocates); the engine validates the value anyway.
func (c HTTPCarrier) Cookie(name string) string {
	for _, line := range c.Request.Header["Cookie"] {
		for line != "" {
			var pair string
			pair, line, _ = strings.Cut(line, ";")
			k, v, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if ok && k == name {
				return v
			}
		}
	}
	return ""
}

// Header returns the request header name.
func (c HTTPCarrier) Header(name string) string { return c.Request.Header.Get(name) }

// SetHeader replaces the response header name.
func (c HTTPCarrier) SetHeader(name, value string) { c.Writer.Header().Set(name, value) }

// AddHeader adds the response header name.
func (c HTTPCarrier) AddHeader(name, value string) { c.Writer.Header().Add(name, value) }

// commitWriter commits the session when the response starts.
type commitWriter struct {
	http.ResponseWriter
	x       *exchange
	started bool
	failed  bool // the error handler answered instead
}

// errResponseReplaced is what writes return once the error handler answered.
var errResponseReplaced = errors.New("session: response replaced by the session error handler")

func (w *commitWriter) commitOnce() {
	if !w.started {
		w.started = true
		w.failed = !w.x.commit()
	}
}

func (w *commitWriter) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		w.ResponseWriter.WriteHeader(code) // informational: the response has not started
		return
	}
	w.commitOnce()
	if !w.failed {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *commitWriter) Write(b []byte) (int, error) {
	w.commitOnce()
	if w.failed {
		return 0, errResponseReplaced
	}
	return w.ResponseWriter.Write(b)
}

// Flush commits, then flushes, for streaming handlers.
func (w *commitWriter) Flush() {
	w.commitOnce()
	if !w.failed {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// WriteString commits, then writes s without converting it to []byte.
func (w *commitWriter) WriteString(s string) (int, error) {
	w.commitOnce()
	if w.failed {
		return 0, errResponseReplaced
	}
	return io.WriteString(w.ResponseWriter, s)
}

// ReadFrom commits, then copies through the underlying writer, keeping its
// sendfile path for io.Copy and http.ServeContent.
func (w *commitWriter) ReadFrom(r io.Reader) (int64, error) {
	w.commitOnce()
	if w.failed {
		return 0, errResponseReplaced
	}
	return io.Copy(w.ResponseWriter, r)
}

// Hijack commits, then hands over the connection (WebSocket upgrades).
func (w *commitWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.commitOnce()
	if w.failed {
		return nil, nil, errResponseReplaced
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *commitWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ErrorStatus is the HTTP status for a session error: 413 for ErrTooLarge,
// 503 for everything else (the store failed). Adapters use it for their
// default error responses.
func ErrorStatus(err error) int {
	if errors.Is(err, ErrTooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusServiceUnavailable
}

func defaultErrorHandler(w http.ResponseWriter, _ *http.Request, err error) {
	status := ErrorStatus(err)
	http.Error(w, http.StatusText(status), status)
}
