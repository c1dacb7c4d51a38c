package sessfiberv3_test

import (
	"bufio"
	"testing"

	"github.com/gofiber/fiber/v3"
	fiberrecover "github.com/gofiber/fiber/v3/middleware/recover"
	"github.com/gofiber/utils/v2"
	sessfiberv3 "github.com/sesskit/sesskit/adapters/fiberv3"
	"github.com/sesskit/sesskit/core/session"
	"github.com/sesskit/sesskit/core/sessiontest"
)

// TestAdapter runs the sesskit adapter conformance suite on sessfiberv3, over
// memstore and (with SESSKIT_REDIS_URL) Redis.
func TestAdapter(t *testing.T) {
	sessiontest.TestAdapter(t, sessiontest.Adapter{Serve: serveSuite})
}

func serveSuite(t *testing.T, m *session.Manager) string {
	app := newApp()
	app.Use(fiberrecover.New())
	app.Use(sessfiberv3.Middleware(m))
	app.All(sessiontest.PlainPrefix+"*", func(c fiber.Ctx) error {
		// c.Path aliases fasthttp's request buffer, which the next request
		// reuses; keys taken from it must be copied if a store keeps them.
		status, out := sessiontest.Handle(c.Context(), sessfiberv3.From(c), utils.CopyString(c.Path()), c.Body())
		return c.Status(status).Send(out)
	})
	app.Get(sessiontest.StreamPath, func(c fiber.Ctx) error {
		// The stream writer runs while Fiber sends the response, after the
		// middleware committed; it must not touch c.
		chunks := sessiontest.Stream(c.Context(), sessfiberv3.From(c), utils.CopyString(c.Query(sessiontest.GateParam)))
		return c.SendStreamWriter(func(w *bufio.Writer) {
			for chunk := range chunks {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				if err := w.Flush(); err != nil {
					return
				}
			}
		})
	})
	app.Get(sessiontest.RedirectPath, func(c fiber.Ctx) error {
		return c.Redirect().Status(fiber.StatusFound).To(sessiontest.Redirect(sessfiberv3.From(c)))
	})
	app.Get(sessiontest.FailPath, func(c fiber.Ctx) error {
		err := sessiontest.Fail(sessfiberv3.From(c))
		return fiber.NewError(sessiontest.FailStatus, err.Error())
	})
	app.Get(sessiontest.PanicPath, func(c fiber.Ctx) error {
		sessiontest.Panic(sessfiberv3.From(c))
		return nil
	})
	return serve(t, app)
}
