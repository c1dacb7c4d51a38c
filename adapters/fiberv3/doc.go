// Package sessfiberv3 plugs sesskit sessions into Fiber v3.
//
// It works on fiber.Ctx directly, never through the net/http adaptor:
//
//	app := fiber.New(fiber.Config{ReadBufferSize: 16 << 10})
//	app.Use(recover.New())              // outside the session middleware
//	app.Use(sessfiberv3.Middleware(m))  // m is a *session.Manager
//	app.Get("/", func(c fiber.Ctx) error {
//		s := sessfiberv3.From(c) // or session.FromContext(c)
//		theme, err := session.GetOr(s, "theme", "light") // "light" when unset
//		if err != nil {
//			return err
//		}
//		return c.SendString(theme)
//	})
//
// For Fiber v2, use github.com/sesskit/sesskit/adapters/fiber.
//
// # When the session is saved
//
// Fasthttp buffers the whole response and writes it after the handler chain
// returns, so the middleware commits right after c.Next(): the Set-Cookie
// and Cache-Control headers still make it into the response. This holds for
// bodies streamed with c.SendStreamWriter or c.SendStream too, since their
// headers also leave after the handler chain returns. A stream writer runs
// in a goroutine of its own, from the moment it is set until the body is
// sent: set session values in the handler, not in the writer (they may be
// committed or not), and take the *session.Session with From before, since
// c is reused once the chain returns; reading from it is fine.
//
// Values read from the request (c.Params, c.Query, c.Get, ...) point into
// buffers fasthttp reuses for the next request. The session copies the
// keys it keeps and the token it reads; values are encoded when set.
//
// Fiber's ErrorHandler runs after the middleware returned: it can read the
// session, but what it changes is not saved.
//
// A handler that returns an error still gets its session changes saved,
// exactly as with net/http, where the error page goes out through the same
// committing writer: Fiber's ErrorHandler renders the error after the
// middleware returned, and the session headers stay on the response.
//
// A handler that panics gets nothing saved and no Set-Cookie. For that,
// install Fiber's recover middleware before (outside) this one, so the panic
// passes through it. A recover middleware installed after (inside) it turns
// the panic into an ordinary error, which is committed like any other error.
//
// When the commit fails (the store is unreachable and the session was read
// in fail-closed mode, or the session grew beyond its size limit), the error
// handler answers instead of the handler's response. The default returns a
// *fiber.Error with status session.ErrorStatus(err) (503, 409 or 413) and the
// status text as message, never the cause or a token, so the application's
// ErrorHandler renders it in the application's format. The handler's own
// error, if any, is dropped. Change this with WithErrorHandler.
//
// # Large cookies
//
// Fiber's default ReadBufferSize (4096 bytes) also caps the request header
// size: a request with larger headers (many or big cookies from other
// applications on the same domain) is refused with 431 before any
// middleware runs. Raise it, for example fiber.Config{ReadBufferSize: 16 << 10}
// to serve headers up to 16 KiB.
package sessfiberv3
