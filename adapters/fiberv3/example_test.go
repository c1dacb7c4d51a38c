package sessfiberv3_test

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"

	"github.com/gofiber/fiber/v3"
	fiberrecover "github.com/gofiber/fiber/v3/middleware/recover"
	sessfiberv3 "github.com/sesskit/sesskit/adapters/fiberv3"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

func Example() {
	// Production code passes redisstore.New(rdb) instead of memstore.
	m, err := session.New(memstore.New(), session.WithInsecureCookie())
	if err != nil {
		log.Fatal(err)
	}

	// Room for big cookie headers; recover goes outside the session.
	app := fiber.New(fiber.Config{ReadBufferSize: 16 << 10})
	app.Use(fiberrecover.New())
	app.Use(sessfiberv3.Middleware(m))
	app.Post("/visits", func(c fiber.Ctx) error {
		s := sessfiberv3.From(c)
		n, err := session.GetOr(s, "visits", 0)
		if err != nil {
			return err
		}
		if err := s.Set("visits", n+1); err != nil {
			return err
		}
		return c.SendString(fmt.Sprint(n + 1))
	})

	var cookie string
	for range 3 {
		req := httptest.NewRequest("POST", "/visits", nil)
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := app.Test(req)
		if err != nil {
			log.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if c := resp.Cookies(); len(c) == 1 {
			cookie = c[0].Name + "=" + c[0].Value
		}
		fmt.Printf("visits=%s new cookie=%v\n", body, len(resp.Cookies()) == 1)
	}
	// Output:
	// visits=1 new cookie=true
	// visits=2 new cookie=false
	// visits=3 new cookie=false
}
