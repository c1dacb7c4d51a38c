// The release check's Echo v5 app: what a new user writes after
// go get github.com/sesskit/sesskit/adapters/echov5.
package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"
	sessechov5 "github.com/sesskit/sesskit/adapters/echov5"
)

func main() {
	e := echo.New()
	e.Use(middleware.Recover(), sessechov5.Middleware(newManager()))
	e.POST("/visits", func(c *echo.Context) error {
		n, err := visit(sessechov5.From(c))
		if err != nil {
			return err
		}
		return c.String(http.StatusOK, strconv.Itoa(n))
	})
	srv := httptest.NewServer(e)
	defer srv.Close()
	check(srv.URL, sessechov5.Version)
}
