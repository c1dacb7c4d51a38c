package sesshttp

import (
	"net/http"
	"strings"

	"github.com/sesskit/sesskit/core/session"
)

var _ session.Carrier = Carrier{}

// Carrier is the session.Carrier over net/http types. Adapters for
// frameworks built on net/http (Gin, Echo, Chi) use it as is.
type Carrier struct {
	Request *http.Request
	Writer  http.ResponseWriter
}

// Cookie returns the value of the first request cookie named name, or "".
// It scans the Cookie headers in place instead of parsing every cookie
// (http.Request.Cookie allocates); the engine validates the value anyway.
func (c Carrier) Cookie(name string) string {
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
func (c Carrier) Header(name string) string { return c.Request.Header.Get(name) }

// SetHeader replaces the response header name.
func (c Carrier) SetHeader(name, value string) { c.Writer.Header().Set(name, value) }

// AddHeader adds the response header name.
func (c Carrier) AddHeader(name, value string) { c.Writer.Header().Add(name, value) }

// bodyHeaders describe the handler's body, not an error page.
var bodyHeaders = []string{"Content-Length", "Content-Range", "Content-Disposition", "ETag", "Last-Modified"}

// ClearBodyHeaders drops the headers of a response that an error page
// replaces. Content-Encoding goes back to encoding, its value when the
// session middleware began: a compressor outside the middleware that set
// the header first also compresses the error page, one inside it does not.
// Writer calls it before its failure callback answers.
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
