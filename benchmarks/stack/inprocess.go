package stack

import (
	"context"
	"net/http"
	"strings"

	"github.com/valyala/fasthttp"
)

// A Client sends requests to a stack in process, without sockets, reusing
// its request and response objects so that the harness itself allocates
// nothing per request: what a benchmark counts is the framework, the
// session library and the Redis client. Not safe for concurrent use.
type Client struct {
	st *Stack

	// method, target and cookie of the request below
	lastMethod, lastTarget, lastCookie string
	primed                             bool

	// net/http frameworks: the handler gets a fresh shallow copy of tmpl
	// each time, as a server would hand it a fresh request.
	tmpl *http.Request
	req  http.Request
	rec  recorder

	// fiber: a reused RequestCtx, reset the way fasthttp's server resets it.
	fh   fasthttp.RequestHandler
	fctx fasthttp.RequestCtx
}

// NewClient returns an in-process client of s.
func NewClient(s *Stack) *Client {
	c := &Client{st: s, rec: recorder{header: http.Header{}}}
	if s.App != nil {
		c.fh = s.App.Handler()
	}
	return c
}

// Do sends one request and returns the status. cookie is "name=value" or "".
func (c *Client) Do(method, target, cookie string) int {
	same := c.primed && method == c.lastMethod && target == c.lastTarget && cookie == c.lastCookie
	c.primed, c.lastMethod, c.lastTarget, c.lastCookie = true, method, target, cookie
	if c.fh != nil {
		if !same {
			c.fctx.Request.Reset()
			c.fctx.Request.Header.SetMethod(method)
			c.fctx.Request.SetRequestURI(target)
			if cookie != "" {
				c.fctx.Request.Header.Set("Cookie", cookie)
			}
		}
		c.fctx.Response.Reset()
		c.fctx.ResetUserValues()
		c.fh(&c.fctx)
		return c.fctx.Response.StatusCode()
	}
	if !same {
		req, err := http.NewRequestWithContext(context.Background(), method, target, nil)
		if err != nil {
			panic("stack: bad request target " + target)
		}
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		c.tmpl = req
	}
	c.req = *c.tmpl
	c.rec.reset()
	c.st.Handler.ServeHTTP(&c.rec, &c.req)
	if c.rec.code == 0 {
		return http.StatusOK
	}
	return c.rec.code
}

// Body returns the body of the last response.
func (c *Client) Body() string {
	if c.fh != nil {
		return string(c.fctx.Response.Body())
	}
	return string(c.rec.body)
}

// Cookie returns the "name=value" of the last response's first Set-Cookie,
// or "".
func (c *Client) Cookie() string {
	var line string
	if c.fh != nil {
		// fasthttp joins its Set-Cookie lines with "; ": the first pair
		// comes first. (VisitAllCookie is deprecated in the fasthttp the
		// workspace sees with Fiber v3; its replacement is not in v1.51.)
		line = string(c.fctx.Response.Header.Peek("Set-Cookie"))
	} else {
		line = c.rec.header.Get("Set-Cookie")
	}
	pair, _, _ := strings.Cut(line, ";")
	return strings.TrimSpace(pair)
}

// recorder is the cheapest http.ResponseWriter that keeps what the checks
// need: status, headers and body, all reused.
type recorder struct {
	header http.Header
	code   int
	body   []byte
}

func (r *recorder) reset() {
	clear(r.header)
	r.code = 0
	r.body = r.body[:0]
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	r.body = append(r.body, p...)
	return len(p), nil
}

func (r *recorder) WriteString(s string) (int, error) {
	r.WriteHeader(http.StatusOK)
	r.body = append(r.body, s...)
	return len(s), nil
}
