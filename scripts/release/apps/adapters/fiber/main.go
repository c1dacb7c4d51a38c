// The release check's Fiber app: what a new user writes after
// go get github.com/sesskit/sesskit/adapters/fiber. Fiber serves on its
// own listener (no net/http), here on a free port of 127.0.0.1.
package main

import (
	"net"
	"strconv"

	"github.com/gofiber/fiber/v2"
	fiberrecover "github.com/gofiber/fiber/v2/middleware/recover"
	sessfiber "github.com/sesskit/sesskit/adapters/fiber"
)

func main() {
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(fiberrecover.New(), sessfiber.Middleware(newManager()))
	app.Post("/visits", func(c *fiber.Ctx) error {
		n, err := visit(sessfiber.From(c))
		if err != nil {
			return err
		}
		return c.SendString(strconv.Itoa(n))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("listen: %v", err)
	}
	go func() { _ = app.Listener(ln) }()
	defer app.Shutdown()
	check("http://"+ln.Addr().String(), sessfiber.Version)
}
