package sessechov5_test

import (
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	sessechov5 "github.com/sesskit/sesskit/adapters/echov5"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

func Example() {
	m, err := session.New(memstore.New()) // redisstore.New(rdb) in production
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	e.Use(middleware.Recover(), sessechov5.Middleware(m))
	e.POST("/visits", func(c *echo.Context) error {
		s := sessechov5.From(c)
		n, err := session.GetOr(s, "visits", 0)
		if err != nil {
			return err
		}
		if err := s.Set("visits", n+1); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]int{"visits": n + 1})
	})

	var cookie *http.Cookie
	for range 2 {
		req := httptest.NewRequest(http.MethodPost, "/visits", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if cs := rec.Result().Cookies(); len(cs) > 0 {
			cookie = cs[0]
		}
		fmt.Print(rec.Body.String())
	}
	// Output:
	// {"visits":1}
	// {"visits":2}
}
