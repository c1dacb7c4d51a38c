package sessfiberv3_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/gofiber/fiber/v3"
	sessfiberv3 "github.com/sesskit/sesskit/adapters/fiberv3"
	"github.com/sesskit/sesskit/core/sesshttp"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
	"github.com/valyala/fasthttp"
)

// The benchmarks drive both middlewares in process, without sockets, on a
// Manager over each store of sessiontest.Stores (memstore, and Redis with
// SESSKIT_REDIS_URL):
//
//	untouched  the handler never looks at the session: 0 round trips
//	read       reads one value of an existing session: 1 round trip
//	write      sets one value of an existing session: 1 round trip
//
// fiber is sessfiberv3.Middleware driven through app.Handler() on a reused
// fasthttp.RequestCtx; nethttp is core/sesshttp's Middleware on a reused
// request and a minimal ResponseWriter. The bare variants are the same
// routes without any session middleware, for the framework's own cost.
func BenchmarkMiddleware(b *testing.B) {
	for _, store := range sessiontest.Stores() {
		b.Run(store.Name, func(b *testing.B) {
			m, err := session.New(store.New(b))
			if err != nil {
				b.Fatal(err)
			}
			token := benchSession(b, m)
			for _, route := range []string{"untouched", "read", "write"} {
				b.Run("fiber/"+route, func(b *testing.B) { benchFiber(b, m, route, token) })
				b.Run("nethttp/"+route, func(b *testing.B) { benchNetHTTP(b, m, route, token) })
			}
		})
	}
	b.Run("fiber/bare", func(b *testing.B) { benchFiber(b, nil, "untouched", "") })
	b.Run("nethttp/bare", func(b *testing.B) { benchNetHTTP(b, nil, "untouched", "") })
}

func benchFiber(b *testing.B, m *session.Manager, route, token string) {
	app := fiber.New(fiber.Config{})
	if m != nil {
		app.Use(sessfiberv3.Middleware(m))
	}
	app.Get("/untouched", func(c fiber.Ctx) error { return c.SendString("ok") })
	app.Get("/read", func(c fiber.Ctx) error {
		n, err := session.Get[int](sessfiberv3.From(c), "visits")
		if err != nil {
			return err
		}
		return c.Send(strconv.AppendInt(nil, int64(n), 10))
	})
	n := 0
	app.Get("/write", func(c fiber.Ctx) error {
		n++
		if err := sessfiberv3.From(c).Set("visits", n); err != nil {
			return err
		}
		return c.SendString("ok")
	})
	h := app.Handler()
	var fctx fasthttp.RequestCtx
	fctx.Request.Header.SetMethod(fiber.MethodGet)
	fctx.Request.SetRequestURI("/" + route)
	fctx.Request.Header.Set("Cookie", "session="+token)
	b.ReportAllocs()
	for b.Loop() {
		h(&fctx)
		if code := fctx.Response.StatusCode(); code != fiber.StatusOK {
			b.Fatalf("status %d: %s", code, fctx.Response.Body())
		}
		// What fasthttp's server does between two requests.
		fctx.Response.Reset()
		fctx.ResetUserValues()
	}
}

func benchNetHTTP(b *testing.B, m *session.Manager, route, token string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /untouched", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	mux.HandleFunc("GET /read", func(w http.ResponseWriter, r *http.Request) {
		n, err := session.Get[int](session.FromContext(r.Context()), "visits")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write(strconv.AppendInt(nil, int64(n), 10))
	})
	n := 0
	mux.HandleFunc("GET /write", func(w http.ResponseWriter, r *http.Request) {
		n++
		if err := session.FromContext(r.Context()).Set("visits", n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Write([]byte("ok"))
	})
	var h http.Handler = mux
	if m != nil {
		h = sesshttp.Middleware(m)(mux)
	}
	req := httptest.NewRequest(http.MethodGet, "/"+route, nil)
	req.Header.Set("Cookie", "session="+token)
	w := &benchWriter{header: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.header)
		w.code = 0
		h.ServeHTTP(w, req)
		if w.code != 0 && w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}

// benchWriter is the cheapest ResponseWriter: it keeps the status only.
type benchWriter struct {
	header http.Header
	code   int
}

func (w *benchWriter) Header() http.Header         { return w.header }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(code int)        { w.code = code }

// benchSession creates a session holding visits=1 and returns its token.
func benchSession(b *testing.B, m *session.Manager) string {
	b.Helper()
	h := sesshttp.Middleware(m)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := session.FromContext(r.Context()).Set("visits", 1); err != nil {
			b.Fatal(err)
		}
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	for _, c := range rec.Result().Cookies() {
		if c.Name == session.DefaultCookieName {
			return c.Value
		}
	}
	b.Fatal("no session cookie")
	return ""
}
