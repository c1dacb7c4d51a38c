// The release check's Fiber v3 app: what a new user writes after
// go get github.com/sesskit/sesskit/adapters/fiberv3. Fiber serves on its
// own listener (no net/http), here on a free port of 127.0.0.1.
package main

import (
	"net"
	"strconv"

	"github.com/gofiber/fiber/v3"
	fiberrecover "github.com/gofiber/fiber/v3/middleware/recover"
	sessfiberv3 "github.com/sesskit/sesskit/adapters/fiberv3"
)

func main() {
	app := fiber.New()
	app.Use(fiberrecover.New(), sessfiberv3.Middleware(newManager()))
	app.Post("/visits", func(c fiber.Ctx) error {
		n, err := visit(sessfiberv3.From(c))
		if err != nil {
			return err
		}
		return c.SendString(strconv.Itoa(n))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	go func() { _ = app.Listener(ln, fiber.ListenConfig{DisableStartupMessage: true}) }()
	defer app.Shutdown()
	check("http://"+ln.Addr().String(), sessfiberv3.Version)
}
