package sessecho_test

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	sessecho "github.com/sesskit/sesskit/adapters/echo"
	"github.com/sesskit/sesskit/core/memstore"
	"github.com/sesskit/sesskit/core/session"
)

func Example() {
	m, err := session.New(memstore.New()) // redisstore.New(rdb) in production
	if err != nil {
		log.Fatal(err)
	}
	e := echo.New()
	e.Use(middleware.Recover(), sessecho.Middleware(m))
	e.POST("/visits", func(c echo.Context) error {
		s := sessecho.From(c)
		n, err := session.Get[int](s, "visits")
		if err != nil && !errors.Is(err, session.ErrNoValue) {
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
