package stack

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"
)

// logic is what one session library does for each route, over the request
// type C of one framework. The mount functions turn it into routes, so the
// framework glue (query parsing, answers, errors) is the same code for
// every library on a framework.
type logic[C any] struct {
	create func(c C, n int) error
	read   func(c C) (string, error)
	incr   func(c C) (int, error)
	write  func(c C) error
	set    func(c C, key string) error
	count  func(c C, prefix string) (int, error)
}

// httpCtx is the request of net/http frameworks (chi here).
type httpCtx struct {
	w http.ResponseWriter
	r *http.Request
}

// queryValue returns the first value of name in a raw query, undecoded: the
// routes take plain ASCII parameters, and url.Values would allocate a map.
func queryValue(raw, name string) string {
	for raw != "" {
		var kv string
		kv, raw, _ = strings.Cut(raw, "&")
		if k, v, _ := strings.Cut(kv, "="); k == name {
			return v
		}
	}
	return ""
}

// queryInt is queryValue as an int, 0 when absent or malformed.
func queryInt(raw, name string) int {
	v := queryValue(raw, name)
	if v == "" {
		return 0 // Atoi would allocate its error
	}
	n, _ := strconv.Atoi(v)
	return n
}

func mountChi(r chi.Router, l logic[httpCtx]) {
	reply := func(w http.ResponseWriter, body string, err error) {
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, body)
	}
	r.Post(PathCreate, func(w http.ResponseWriter, r *http.Request) {
		reply(w, "ok", l.create(httpCtx{w, r}, queryInt(r.URL.RawQuery, "n")))
	})
	r.Get(PathRead, func(w http.ResponseWriter, r *http.Request) {
		v, err := l.read(httpCtx{w, r})
		reply(w, v, err)
	})
	r.Post(PathIncr, func(w http.ResponseWriter, r *http.Request) {
		n, err := l.incr(httpCtx{w, r})
		reply(w, strconv.Itoa(n), err)
	})
	r.Put(PathWrite, func(w http.ResponseWriter, r *http.Request) {
		reply(w, "ok", l.write(httpCtx{w, r}))
	})
	r.Get(PathNoop, func(w http.ResponseWriter, r *http.Request) {
		reply(w, "ok", nil)
	})
	r.Put(PathSet, func(w http.ResponseWriter, r *http.Request) {
		reply(w, "ok", l.set(httpCtx{w, r}, queryValue(r.URL.RawQuery, "key")))
	})
	r.Get(PathCount, func(w http.ResponseWriter, r *http.Request) {
		n, err := l.count(httpCtx{w, r}, queryValue(r.URL.RawQuery, "prefix"))
		reply(w, strconv.Itoa(n), err)
	})
}

func mountGin(e *gin.Engine, l logic[*gin.Context]) {
	reply := func(c *gin.Context, body string, err error) {
		if err != nil {
			c.String(http.StatusInternalServerError, err.Error())
			return
		}
		c.String(http.StatusOK, body)
	}
	e.POST(PathCreate, func(c *gin.Context) {
		reply(c, "ok", l.create(c, queryInt(c.Request.URL.RawQuery, "n")))
	})
	e.GET(PathRead, func(c *gin.Context) {
		v, err := l.read(c)
		reply(c, v, err)
	})
	e.POST(PathIncr, func(c *gin.Context) {
		n, err := l.incr(c)
		reply(c, strconv.Itoa(n), err)
	})
	e.PUT(PathWrite, func(c *gin.Context) { reply(c, "ok", l.write(c)) })
	e.GET(PathNoop, func(c *gin.Context) { reply(c, "ok", nil) })
	e.PUT(PathSet, func(c *gin.Context) {
		reply(c, "ok", l.set(c, queryValue(c.Request.URL.RawQuery, "key")))
	})
	e.GET(PathCount, func(c *gin.Context) {
		n, err := l.count(c, queryValue(c.Request.URL.RawQuery, "prefix"))
		reply(c, strconv.Itoa(n), err)
	})
}

func mountEcho(e *echo.Echo, l logic[echo.Context]) {
	reply := func(c echo.Context, body string, err error) error {
		if err != nil {
			return c.String(http.StatusInternalServerError, err.Error())
		}
		return c.String(http.StatusOK, body)
	}
	e.POST(PathCreate, func(c echo.Context) error {
		return reply(c, "ok", l.create(c, queryInt(c.Request().URL.RawQuery, "n")))
	})
	e.GET(PathRead, func(c echo.Context) error {
		v, err := l.read(c)
		return reply(c, v, err)
	})
	e.POST(PathIncr, func(c echo.Context) error {
		n, err := l.incr(c)
		return reply(c, strconv.Itoa(n), err)
	})
	e.PUT(PathWrite, func(c echo.Context) error { return reply(c, "ok", l.write(c)) })
	e.GET(PathNoop, func(c echo.Context) error { return reply(c, "ok", nil) })
	e.PUT(PathSet, func(c echo.Context) error {
		return reply(c, "ok", l.set(c, queryValue(c.Request().URL.RawQuery, "key")))
	})
	e.GET(PathCount, func(c echo.Context) error {
		n, err := l.count(c, queryValue(c.Request().URL.RawQuery, "prefix"))
		return reply(c, strconv.Itoa(n), err)
	})
}

func mountFiber(app *fiber.App, l logic[*fiber.Ctx]) {
	reply := func(c *fiber.Ctx, body string, err error) error {
		if err != nil {
			return c.Status(http.StatusInternalServerError).SendString(err.Error())
		}
		return c.SendString(body)
	}
	app.Post(PathCreate, func(c *fiber.Ctx) error {
		n := 0
		if q := c.Query("n"); q != "" { // QueryInt allocates an error for a missing value
			n, _ = strconv.Atoi(q)
		}
		return reply(c, "ok", l.create(c, n))
	})
	app.Get(PathRead, func(c *fiber.Ctx) error {
		v, err := l.read(c)
		return reply(c, v, err)
	})
	app.Post(PathIncr, func(c *fiber.Ctx) error {
		n, err := l.incr(c)
		return reply(c, strconv.Itoa(n), err)
	})
	app.Put(PathWrite, func(c *fiber.Ctx) error { return reply(c, "ok", l.write(c)) })
	app.Get(PathNoop, func(c *fiber.Ctx) error { return reply(c, "ok", nil) })
	app.Put(PathSet, func(c *fiber.Ctx) error {
		// Query returns a view into fasthttp's buffer: copy what outlives the request.
		return reply(c, "ok", l.set(c, strings.Clone(c.Query("key"))))
	})
	app.Get(PathCount, func(c *fiber.Ctx) error {
		n, err := l.count(c, c.Query("prefix"))
		return reply(c, strconv.Itoa(n), err)
	})
}
